namespace Edge.Firmware.Protocol;

/// <summary>
/// Everything a <c>state</c> message says (docs/protocol.md §8). One instance per node, updated in
/// place and written by <see cref="Write"/>; strings are set once at start-up.
/// </summary>
public sealed class NodeStatus
{
    public const string Online = "online";
    public const string Offline = "offline";
    public const string Asleep = "asleep";

    public string Status = Online;
    /// <summary>Only with offline: <c>lost</c>, <c>reboot</c>, <c>update</c>, <c>shutdown</c>.</summary>
    public string Reason = "";
    public long Ts;
    public string Type = "";
    public string Firmware = "";
    public string Hardware = "";
    public long ConfigVersion;
    /// <summary>Last rejected config version, -1 when none since boot.</summary>
    public long ConfigRejected = -1;
    /// <summary>Bus stops: the display version shown; -1 for other node types (omitted).</summary>
    public long DisplayVersion = -1;
    public long Boot;
    public string ResetReason = "unknown";
    public long UptimeS;
    public string TimeSource = "none";
    public long LastSyncTs;
    public int Rssi;
    public long HeapFree;
    public long OutboxQueued;
    public long OutboxDropped;
    public long OutboxDroppedEvents;
    public bool OutboxFlash;
    /// <summary>Only with asleep.</summary>
    public long WakeTs;

    /// <summary>The full birth / heartbeat / asleep state (§8.2, §8.3).</summary>
    public void Write(JsonWriter w)
    {
        bool offline = Status == Offline;
        w.StartObject();
        w.Member("v", Wire.Version);
        w.Member("status", Status);
        if (offline) w.Member("reason", Reason);
        w.Member("ts", Ts);
        w.Member("type", Type);
        w.Member("fw", Firmware);
        if (!offline) w.Member("hw", Hardware);
        w.Member("configVersion", ConfigVersion);
        if (ConfigRejected >= 0) w.Member("configRejected", ConfigRejected);
        if (DisplayVersion >= 0) w.Member("displayVersion", DisplayVersion);
        w.Member("boot", Boot);
        if (!offline)
        {
            w.Member("resetReason", ResetReason);
            w.Member("uptimeS", UptimeS);
            w.Member("timeSource", TimeSource);
            w.Member("lastSyncTs", LastSyncTs);
            w.Member("rssi", Rssi);
            w.Member("heapFree", HeapFree);
            w.Name("outbox");
            w.StartObject();
            w.Member("queued", OutboxQueued);
            w.Member("dropped", OutboxDropped);
            w.Member("droppedEvents", OutboxDroppedEvents);
            w.Member("flash", OutboxFlash);
            w.EndObject();
        }
        if (Status == Asleep) w.Member("wakeTs", WakeTs);
        w.EndObject();
    }

    /// <summary>The last will (§4.3): fixed at CONNECT, so it has no time.</summary>
    public static void WriteWill(JsonWriter w)
    {
        w.StartObject();
        w.Member("v", Wire.Version);
        w.Member("status", Offline);
        w.Member("reason", "lost");
        w.EndObject();
    }
}
