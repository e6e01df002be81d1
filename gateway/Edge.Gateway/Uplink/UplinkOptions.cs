namespace Edge.Gateway.Uplink;

/// <summary>Section <c>Gateway:Uplink</c>: how the outbox reaches the cloud (docs/uplink.md §2, §4).</summary>
public sealed class UplinkOptions
{
    /// <summary><c>https</c> (default, docs/uplink.md §2), <c>eventhubs</c> (§4) or <c>none</c>.</summary>
    public string Kind { get; set; } = "https";

    /// <summary>This gateway's id as registered in the cloud (docs/uplink.md §1), e.g. <c>gw-igoumenitsa-1</c>.</summary>
    public string GatewayId { get; set; } = "";

    /// <summary>Cloud base address, e.g. <c>https://cloud.example.gr/</c>. Empty: the HTTPS uplink and the downlink are off.</summary>
    public string BaseUrl { get; set; } = "";

    /// <summary>Bearer token issued by the cloud for this gateway (docs/uplink.md §1).</summary>
    public string Token { get; set; } = "";

    /// <summary>Most records per batch (the cloud refuses more than 5,000, §2 rule 4).</summary>
    public int MaxBatchRecords { get; set; } = 500;

    /// <summary>About this many payload bytes per batch (the cloud refuses more than 4 MiB uncompressed).</summary>
    public int MaxBatchBytes { get; set; } = 256 * 1024;

    /// <summary>How long a new batch that is not full waits for more records before it goes (as Kafka's <c>linger.ms</c>).
    /// With 0 the uplink sends as soon as the outbox has a record and the last batch is answered: under a steady load a
    /// batch per round trip, a few records each, and the cloud does its per-batch work (a request, a transaction, a
    /// record feed pass) for every few records. 25 ms (the default) made the batches 2.5× larger in the scale run and
    /// took 40 % off the cloud's and PostgreSQL's CPU, for 10–14 ms more ingest lag (docs/scale.md "Uplink linger").
    /// Every record that is not part of a full batch (<see cref="MaxBatchRecords"/>) or a backlog, a node's ack of a
    /// command included, reaches the cloud up to this much later; a retry does not wait again.</summary>
    public int LingerMilliseconds { get; set; } = 25;

    /// <summary>Largest <see cref="LingerMilliseconds"/> the gateway starts with.</summary>
    public const int MaxLingerMilliseconds = 1000;

    /// <summary>gzip request bodies (§2: gateways do by default).</summary>
    public bool Gzip { get; set; } = true;

    /// <summary>Retry backoff base and cap in milliseconds (§2 rule 5: 1 s doubling to 5 min, full jitter).</summary>
    public int BackoffBaseMilliseconds { get; set; } = 1000;

    public int BackoffCapMilliseconds { get; set; } = 300_000;

    /// <summary>After this many 500 answers in a row the batch is split, and a single record that still gets them while
    /// the record behind it is accepted is moved to the dead-letter table (docs/gateway.md "Dead letters").</summary>
    public int PoisonAfterFailures { get; set; } = 5;

    /// <summary>Timeout of one batch request.</summary>
    public int RequestTimeoutSeconds { get; set; } = 30;

    /// <summary>Forward node <c>state</c> messages as <c>state</c> records (applied config versions, online/offline).</summary>
    public bool ForwardState { get; set; } = true;

    /// <summary>At a clean stop, how long the uplink may take to deliver the <c>gateway.stopping</c> record (then it waits in the outbox).</summary>
    public int StopFlushSeconds { get; set; } = 3;

    /// <summary>Event Hubs (Kind = eventhubs): connection string with a send policy, and the hub name.</summary>
    public string EventHubsConnectionString { get; set; } = "";

    public string EventHubName { get; set; } = "";

    public bool IsHttpsConfigured => Kind.Equals("https", System.StringComparison.OrdinalIgnoreCase) && BaseUrl.Length > 0;

    public bool IsEventHubsConfigured => Kind.Equals("eventhubs", System.StringComparison.OrdinalIgnoreCase) && EventHubsConnectionString.Length > 0;
}
