using Edge.Firmware.Hydro;
using Edge.Firmware.Lighting;

namespace Edge.Firmware.Protocol;

/// <summary>Writes <c>event</c> payloads (docs/protocol.md §7), one method per kind. An empty <c>msg</c> is omitted.</summary>
public static class EventEncoder
{
    /// <summary>§7.2.</summary>
    public static void WriteLampFault(JsonWriter w, long ts, long boot, long seq, LampFault fault, bool active, int level, double watts, double volts, string msg)
    {
        Header(w, ts, boot, seq, "lamp.fault");
        w.Member("fault", Names.LampFaultName(fault));
        w.Member("active", active);
        w.Member("level", level);
        w.MemberNumber("watts", watts);
        w.MemberNumber("volts", volts);
        End(w, msg);
    }

    /// <summary>§7.3.</summary>
    public static void WriteFloodState(JsonWriter w, long ts, long boot, long seq, FloodState from, FloodState to, StateChangeReason reason, int levelMm)
    {
        Header(w, ts, boot, seq, "flood.state");
        w.Member("from", Names.FloodStateName(from));
        w.Member("to", Names.FloodStateName(to));
        w.Member("cause", Names.FloodCauseName(reason));
        w.Member("levelMm", levelMm);
        End(w, "");
    }

    /// <summary>§7.9: the rate-of-rise alarm turned on or off.</summary>
    public static void WriteFloodRate(JsonWriter w, long ts, long boot, long seq, bool active, int riseMm, int levelMm)
    {
        Header(w, ts, boot, seq, "flood.rate");
        w.Member("active", active);
        w.Member("riseMm", riseMm);
        w.Member("levelMm", levelMm);
        End(w, "");
    }

    /// <summary>§7.4.</summary>
    public static void WriteNodeBoot(JsonWriter w, long ts, long boot, long seq, string reason, string fw)
    {
        Header(w, ts, boot, seq, "node.boot");
        w.Member("reason", reason);
        w.Member("fw", fw);
        End(w, "");
    }

    /// <summary>§7.5.</summary>
    public static void WriteNodeWatchdog(JsonWriter w, long ts, long boot, long seq, string task, long stuckS)
    {
        Header(w, ts, boot, seq, "node.watchdog");
        w.Member("task", task);
        w.Member("stuckS", stuckS);
        End(w, "");
    }

    /// <summary>§7.6: at most 5 of <paramref name="errors"/> are written.</summary>
    public static void WriteConfigRejected(JsonWriter w, long ts, long boot, long seq, string topic, long version, string code, long kept, string[] errors, int errorCount)
    {
        Header(w, ts, boot, seq, "config.rejected");
        w.Member("topic", topic);
        w.Member("version", version);
        w.Member("code", code);
        w.Member("kept", kept);
        w.Name("errors");
        w.StartArray();
        for (int i = 0; i < errorCount && i < 5; i++) w.String(Clip(errors[i]));
        w.EndArray();
        End(w, "");
    }

    /// <summary>§7.7.</summary>
    public static void WriteHardwareFault(JsonWriter w, long ts, long boot, long seq, string part, bool active, string msg)
    {
        Header(w, ts, boot, seq, "hw.fault");
        w.Member("part", part);
        w.Member("active", active);
        End(w, msg);
    }

    /// <summary>§7.8.</summary>
    public static void WriteMessageRejected(JsonWriter w, long ts, long boot, long seq, string topic, string code, string msg)
    {
        Header(w, ts, boot, seq, "message.rejected");
        w.Member("topic", topic);
        w.Member("code", code);
        End(w, msg);
    }

    /// <summary>Texts for people are capped (§5.5) so one long validation message cannot overflow a payload.</summary>
    internal static string Clip(string text)
    {
        return text.Length <= 200 ? text : text.Substring(0, 199) + "\u2026";
    }

    private static void Header(JsonWriter w, long ts, long boot, long seq, string kind)
    {
        w.StartObject();
        w.Member("v", Wire.Version);
        w.Member("ts", ts);
        w.Member("boot", boot);
        w.Member("seq", seq);
        w.Member("kind", kind);
    }

    private static void End(JsonWriter w, string msg)
    {
        if (msg != null && msg.Length > 0) w.Member("msg", Clip(msg));
        w.EndObject();
    }
}
