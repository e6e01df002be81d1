namespace Edge.Gateway.Downlink;

/// <summary>Section <c>Gateway:Downlink</c>: the long poll of docs/uplink.md §3 (uses Uplink:BaseUrl, GatewayId and Token).</summary>
public sealed class DownlinkOptions
{
    /// <summary>Off only when set false; otherwise on whenever Uplink:BaseUrl is set.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How long the cloud may hold a poll (docs/uplink.md §3: at most 60).</summary>
    public int WaitSeconds { get; set; } = 30;

    /// <summary>Retry backoff after a failed poll, milliseconds (full jitter, doubling to the cap).</summary>
    public int BackoffBaseMilliseconds { get; set; } = 1000;

    public int BackoffCapMilliseconds { get; set; } = 60_000;

    /// <summary>Site of nodes provisioned from the cloud when the <c>nodes</c> entry has no <c>site</c> and the node is new.</summary>
    public string DefaultSite { get; set; } = "";

    /// <summary>Re-send an unacknowledged command after this many seconds without an ack (protocol.md §10.4 rule 3 "MAY"); 0 = only after births.</summary>
    public int CommandResendSeconds { get; set; } = 60;
}
