namespace Edge.Firmware.Protocol;

/// <summary>What the gateway's clock is disciplined by (docs/protocol.md §12.2).</summary>
public enum TimeSource
{
    Ntp = 0,
    Gps = 1,
    Rtc = 2,
    Unsynced = 3,
}

/// <summary>One decoded <c>time</c> message (§12.2), reused.</summary>
public sealed class TimeMessage
{
    public long Ts;
    public int Ms;
    public TimeSource Source;
}

/// <summary>Reads <c>time</c> payloads; any problem throws <see cref="MessageFormatException"/> (§15 M4: the node ignores it).</summary>
public sealed class TimeDecoder
{
    private static readonly string[] SourceNames = { "ntp", "gps", "rtc", "unsynced" };

    private readonly DocumentReader _r = new DocumentReader(DocumentReader.MaxMessageErrors);

    public void Decode(byte[] buffer, int offset, int count, TimeMessage into)
    {
        try
        {
            Read(buffer, offset, count, into);
        }
        finally
        {
            _r.Release();
        }
    }

    private void Read(byte[] buffer, int offset, int count, TimeMessage into)
    {
        if (count > Wire.MaxTimeBytes)
        {
            _r.Reset(buffer, offset, 0);
            _r.Add("payload larger than " + Wire.MaxTimeBytes.ToString() + " bytes");
            throw _r.MessageRejected(MessageFormatException.TooLarge, -1);
        }
        _r.Reset(buffer, offset, count);
        long v = -1, ts = -1, ms = 0;
        int source = -1;
        try
        {
            if (!_r.StartRoot()) throw _r.MessageRejected(MessageFormatException.Malformed, -1);
            while (_r.NextMember(1))
            {
                if (_r.Is("v")) v = _r.Whole("v", 0, int.MaxValue, -1);
                else if (_r.Is("ts")) ts = _r.Whole("ts", 0, long.MaxValue, -1);
                else if (_r.Is("ms")) ms = _r.Whole("ms", 0, 999, 0);
                else if (_r.Is("source"))
                {
                    // Names in the order of TimeSource's values.
                    int named = _r.Choice("source", SourceNames, "a string");
                    if (named >= 0) source = named;
                    else if (named == DocumentReader.NotAChoice) _r.Error("source", "must be ntp, gps, rtc or unsynced");
                }
                else _r.SkipValue();
            }
            _r.Finish();
        }
        catch (MessageFormatException)
        {
            throw;
        }
        catch (JsonFormatException e)
        {
            _r.Add(e.Message);
            throw _r.MessageRejected(MessageFormatException.Malformed, -1);
        }
        if (v != Wire.Version) { _r.Error("v", v < 0 ? "is required" : v.ToString() + " is not supported"); throw _r.MessageRejected(MessageFormatException.Malformed, -1); }
        if (ts < 0 && _r.ErrorCount == 0) _r.Error("ts", "is required");
        if (source < 0 && _r.ErrorCount == 0) _r.Error("source", "is required");
        if (_r.ErrorCount > 0) throw _r.MessageRejected(MessageFormatException.Invalid, -1);
        into.Ts = ts;
        into.Ms = (int)ms;
        into.Source = (TimeSource)source;
    }
}
