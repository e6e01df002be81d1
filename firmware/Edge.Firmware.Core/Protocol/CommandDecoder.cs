namespace Edge.Firmware.Protocol;

/// <summary>
/// Reads <c>cmd</c> payloads (docs/protocol.md §10). A command without a readable <c>id</c> throws
/// <see cref="MessageFormatException"/> (§15 M2: nothing to ack); any other problem is put in
/// <see cref="CommandMessage.Problem"/> so the node can ack it <c>rejected</c>.
/// </summary>
public sealed class CommandDecoder
{
    public const string KindOverride = "override";
    public const string KindOverrideClear = "override.clear";
    public const string KindReboot = "reboot";
    public const string KindIdentify = "identify";
    public const string KindSampleNow = "sample-now";
    public const string KindDisplayRefresh = "display.refresh";
    public const string KindSiren = "siren";

    private readonly DocumentReader _r = new DocumentReader(DocumentReader.MaxMessageErrors);
    // override args.origin, in the order of CommandMessage.FromRule (false, true).
    private static readonly string[] OriginNames = { "operator", "rule" };

    public void Decode(byte[] buffer, int offset, int count, CommandMessage into)
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

    private void Read(byte[] buffer, int offset, int count, CommandMessage into)
    {
        into.Clear();
        if (count > Wire.MaxCommandBytes)
        {
            _r.Reset(buffer, offset, 0);
            _r.Add("payload of " + count.ToString() + " bytes is larger than " + Wire.MaxCommandBytes.ToString());
            throw _r.MessageRejected(MessageFormatException.TooLarge, -1);
        }
        _r.Reset(buffer, offset, count);
        bool haveId = false, haveKind = false, haveIssued = false, haveExpires = false;
        long v = -1;
        try
        {
            if (!_r.StartRoot()) throw _r.MessageRejected(MessageFormatException.Malformed, -1);
            while (_r.NextMember(1))
            {
                if (_r.Is("v")) v = _r.Whole("v", 0, int.MaxValue, -1);
                else if (_r.Is("id"))
                {
                    string id = _r.Text("id", 64, "");
                    if (!IsCommandId(id)) _r.Error("id", "must match [A-Za-z0-9._:-]{1,64}");
                    else { into.Id = id; haveId = true; }
                }
                else if (_r.Is("kind")) { into.Kind = _r.Text("kind", 32, ""); haveKind = into.Kind.Length > 0; }
                else if (_r.Is("issued")) { into.Issued = _r.Whole("issued", 0, long.MaxValue, 0); haveIssued = true; }
                else if (_r.Is("expires")) { into.Expires = _r.Whole("expires", 0, long.MaxValue, 0); haveExpires = true; }
                else if (_r.Is("args"))
                {
                    into.ArgsOffset = _r.ObjectRange("args", out into.ArgsCount);
                    into.ArgsBuffer = buffer;
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
            if (!haveId)
            {
                _r.Add(e.Message);
                throw _r.MessageRejected(MessageFormatException.Malformed, -1);
            }
            into.Problem = "malformed: " + e.Message;
            return;
        }
        if (!haveId)
        {
            if (_r.ErrorCount == 0) _r.Error("id", "is required");
            throw _r.MessageRejected(MessageFormatException.Malformed, -1);
        }
        if (v != Wire.Version) _r.Error("v", v < 0 ? "is required" : v.ToString() + " is not supported (this node reads 1)");
        if (!haveKind) _r.Error("kind", "is required");
        if (!haveIssued) _r.Error("issued", "is required");
        if (!haveExpires) _r.Error("expires", "is required");
        if (haveIssued && haveExpires && into.Expires - into.Issued > Wire.MaxCommandLifetimeS) _r.Error("expires", "more than 7 days after issued");
        if (_r.ErrorCount > 0) into.Problem = _r.ErrorAt(0);
    }

    /// <summary>
    /// Reads and checks the arguments of <paramref name="cmd"/> for its kind (§10.2), filling its
    /// argument fields. Returns "" when they are valid, else the problem (e.g.
    /// <c>args.level: 140 is out of range 0..100</c>). Unknown argument members are ignored.
    /// </summary>
    public string ReadArgs(CommandMessage cmd)
    {
        try
        {
            return ReadArgsOf(cmd);
        }
        finally
        {
            _r.Release();
        }
    }

    private string ReadArgsOf(CommandMessage cmd)
    {
        bool isOverride = cmd.Kind == KindOverride;
        bool isReboot = cmd.Kind == KindReboot;
        bool isIdentify = cmd.Kind == KindIdentify;
        bool isSiren = cmd.Kind == KindSiren;
        cmd.DurationS = isIdentify ? 30 : (isSiren ? 300 : 0);
        bool haveLevel = false, haveUntil = false, haveOn = false;
        if (cmd.ArgsOffset >= 0)
        {
            _r.Reset(cmd.ArgsBuffer, cmd.ArgsOffset, cmd.ArgsCount);
            try
            {
                _r.StartRoot();
                while (_r.NextMember(1))
                {
                    if (isOverride && _r.Is("level")) { cmd.Level = (int)_r.Whole("args.level", 0, 100, 0); haveLevel = true; }
                    else if (isOverride && _r.Is("until")) { cmd.Until = _r.Whole("args.until", 0, long.MaxValue, 0); haveUntil = true; }
                    else if (isOverride && _r.Is("reason")) cmd.Reason = _r.Text("args.reason", 64, "");
                    else if (isOverride && _r.Is("origin"))
                    {
                        int origin = _r.Choice("args.origin", OriginNames, "a string");
                        if (origin >= 0) cmd.FromRule = origin == 1;
                        else if (origin == DocumentReader.NotAChoice) _r.Error("args.origin", "must be operator or rule");
                    }
                    else if (isReboot && _r.Is("delayS")) cmd.DelayS = _r.Whole("args.delayS", 0, 3600, 0);
                    else if (isIdentify && _r.Is("durationS")) cmd.DurationS = _r.Whole("args.durationS", 0, 600, 30);
                    else if (isSiren && _r.Is("durationS")) cmd.DurationS = _r.Whole("args.durationS", 0, 1800, 300);
                    else if (isSiren && _r.Is("on")) { cmd.On = _r.Boolean("args.on", false); haveOn = true; }
                    else _r.SkipValue();
                }
            }
            catch (JsonFormatException e)
            {
                return "args: " + e.Message;
            }
        }
        else
        {
            _r.Reset(cmd.ArgsBuffer, 0, 0);
        }
        if (isOverride && !haveLevel) _r.Error("args.level", "is required");
        if (isOverride && !haveUntil) _r.Error("args.until", "is required");
        if (isOverride && haveUntil && cmd.Until <= cmd.Issued) _r.Error("args.until", "must be later than issued");
        if (isSiren && !haveOn) _r.Error("args.on", "is required");
        return _r.ErrorCount > 0 ? _r.ErrorAt(0) : "";
    }

    /// <summary>Whether <paramref name="id"/> matches <c>^[A-Za-z0-9._:-]{1,64}$</c> (§10.1).</summary>
    private static bool IsCommandId(string id)
    {
        if (id.Length < 1 || id.Length > 64) return false;
        for (int i = 0; i < id.Length; i++)
        {
            char c = id[i];
            bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == ':' || c == '-';
            if (!ok) return false;
        }
        return true;
    }
}
