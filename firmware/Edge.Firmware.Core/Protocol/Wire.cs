namespace Edge.Firmware.Protocol;

/// <summary>Constants of the node ↔ gateway contract (docs/protocol.md §17), named once.</summary>
public static class Wire
{
    /// <summary>Schema version <c>v</c> of every payload (§5.2).</summary>
    public const int Version = 1;

    /// <summary>Largest node → gateway payload (§13).</summary>
    public const int MaxOutboundBytes = 4096;

    /// <summary>Largest <c>config</c> or <c>display</c> payload a node accepts (§13).</summary>
    public const int MaxDocumentBytes = 16384;

    /// <summary>Largest <c>cmd</c> payload (§13).</summary>
    public const int MaxCommandBytes = 1024;

    /// <summary>Largest <c>time</c> payload (§13).</summary>
    public const int MaxTimeBytes = 256;

    /// <summary>Earliest plausible clock (2025-01-01T00:00:00Z, §12.5).</summary>
    public const long EarliestValidTime = 1735689600;

    /// <summary>Longest command lifetime <c>expires − issued</c> (§10.1).</summary>
    public const long MaxCommandLifetimeS = 7 * 86400;

    public const string TypeStreetLight = "streetlight";
    public const string TypeWaterLevel = "waterlevel";
    public const string TypeBusStop = "busstop";
}
