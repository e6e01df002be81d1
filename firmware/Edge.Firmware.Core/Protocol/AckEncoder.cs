namespace Edge.Firmware.Protocol;

/// <summary>Command results (docs/protocol.md §10.3).</summary>
public enum CommandResult
{
    Ok = 0,
    Expired = 1,
    Duplicate = 2,
    Rejected = 3,
    Unsupported = 4,
    Failed = 5,
}

/// <summary>Writes <c>cmd/ack</c> payloads (§10.3).</summary>
public static class AckEncoder
{
    public static string ResultName(CommandResult result)
    {
        switch (result)
        {
            case CommandResult.Ok: return "ok";
            case CommandResult.Expired: return "expired";
            case CommandResult.Duplicate: return "duplicate";
            case CommandResult.Rejected: return "rejected";
            case CommandResult.Unsupported: return "unsupported";
            default: return "failed";
        }
    }

    /// <param name="original">Only used with <see cref="CommandResult.Duplicate"/>: the result given the first time.</param>
    public static void Write(JsonWriter w, string id, CommandResult result, CommandResult original, long ts, long boot, long seq, string msg)
    {
        w.StartObject();
        w.Member("v", Wire.Version);
        w.Member("id", id);
        w.Member("result", ResultName(result));
        if (result == CommandResult.Duplicate) w.Member("original", ResultName(original));
        w.Member("ts", ts);
        w.Member("boot", boot);
        w.Member("seq", seq);
        if (msg != null && msg.Length > 0) w.Member("msg", EventEncoder.Clip(msg));
        w.EndObject();
    }
}
