using System;
using Edge.Firmware.Transit;

namespace Edge.Firmware.Protocol;

/// <summary>A validated <c>display</c> message (docs/protocol.md §11).</summary>
public sealed class DisplayMessage
{
    public long Version;
    public long Generated;
    /// <summary>The content document (docs/display-content.md), parsed by <see cref="DisplayContentParser"/>.</summary>
    public DisplayContent? Content;
    /// <summary>The stop's timetable (docs/display-content.md), or null when the message carries none.</summary>
    public Timetable? Timetable;
}

/// <summary>
/// Reads a <c>display</c> envelope (§11.1): <c>v</c>, <c>version</c>, <c>generated</c>, the
/// <c>content</c> document and optionally the <c>timetable</c> document, each handed to the transit
/// parser that owns its format. Problems throw <see cref="MessageFormatException"/>.
/// </summary>
public sealed class DisplayDecoder
{
    private readonly DocumentReader _r = new DocumentReader(DocumentReader.MaxMessageErrors);
    private readonly DisplayContentParser _content = new DisplayContentParser();
    private readonly TimetableParser _timetable = new TimetableParser();

    public DisplayMessage Decode(byte[] buffer, int offset, int count)
    {
        try
        {
            return Read(buffer, offset, count);
        }
        finally
        {
            _r.Release();
        }
    }

    private DisplayMessage Read(byte[] buffer, int offset, int count)
    {
        if (count > Wire.MaxDocumentBytes)
        {
            _r.Reset(buffer, offset, 0);
            _r.Add("document of " + count.ToString() + " bytes is larger than " + Wire.MaxDocumentBytes.ToString());
            throw _r.MessageRejected(MessageFormatException.TooLarge, -1);
        }
        _r.Reset(buffer, offset, count);
        var message = new DisplayMessage();
        long v = -1, version = -1, generated = -1;
        int contentAt = -1, contentCount = 0, tableAt = -1, tableCount = 0;
        try
        {
            if (!_r.StartRoot()) throw _r.MessageRejected(MessageFormatException.Malformed, -1);
            while (_r.NextMember(1))
            {
                if (_r.Is("v")) v = _r.Whole("v", 0, int.MaxValue, -1);
                else if (_r.Is("version")) version = _r.Whole("version", 0, 9007199254740992L, -1);
                else if (_r.Is("generated")) generated = _r.Whole("generated", 0, long.MaxValue, -1);
                else if (_r.Is("content")) contentAt = _r.ObjectRange("content", out contentCount);
                else if (_r.Is("timetable")) tableAt = _r.ObjectRange("timetable", out tableCount);
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
            throw _r.MessageRejected(MessageFormatException.Malformed, version);
        }
        if (v != Wire.Version)
        {
            _r.Error("v", v < 0 ? "is required" : v.ToString() + " is not supported (this node reads 1)");
            throw _r.MessageRejected(MessageFormatException.Malformed, version);
        }
        if (version < 0 && _r.ErrorCount == 0) _r.Error("version", "is required");
        if (generated < 0 && _r.ErrorCount == 0) _r.Error("generated", "is required");
        if (contentAt < 0 && _r.ErrorCount == 0) _r.Error("content", "is required");
        message.Version = version;
        message.Generated = generated;
        if (contentAt >= 0)
        {
            try
            {
                message.Content = _content.Parse(buffer, contentAt, contentCount);
                if (version >= 0 && message.Content.Version != version) _r.Error("content.version", message.Content.Version.ToString() + " differs from version " + version.ToString());
            }
            catch (Exception e)
            {
                _r.Error("content", e.Message);
            }
        }
        if (tableAt >= 0)
        {
            try
            {
                message.Timetable = _timetable.Parse(buffer, tableAt, tableCount);
            }
            catch (Exception e)
            {
                _r.Error("timetable", e.Message);
            }
        }
        if (_r.ErrorCount > 0) throw _r.MessageRejected(MessageFormatException.Invalid, version);
        return message;
    }
}
