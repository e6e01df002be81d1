using System;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Edge.Gateway.Outbox;

namespace Edge.Gateway.Uplink;

/// <summary>
/// Appends records the gateway itself produces — <c>rule</c> firings, <c>gateway</c> events, forwarded node
/// <c>state</c> — to the durable outbox, so they reach the cloud through the same ordered, idempotent path as node
/// messages (docs/uplink.md §2 "kind"). They are stored with <c>boot = -1</c>, which no node can send (§5.4 boot is
/// uint), and a per-process unique <c>seq</c>, so the outbox's (node, boot, seq) dedupe never confuses them with node
/// messages (it skips them: none is ever appended twice under one seq); the uplink sends <c>node: null</c> for rule and gateway records (stored with node id "").
/// </summary>
public sealed class GatewayRecords
{
    public const string RuleLeaf = "rule";
    public const string GatewayLeaf = "gateway";
    public const long OwnBoot = -1;

    readonly DurableOutbox _outbox;
    long _seq = DateTime.UtcNow.Ticks; // unique across restarts while the clock moves forward

    public GatewayRecords(DurableOutbox outbox) => _outbox = outbox;

    /// <summary>A <c>rule</c> record: kept class (never dropped before telemetry).</summary>
    public Task<AppendResult> AppendRuleAsync(string site, byte[] payload) => AppendAsync(site, "", RuleLeaf, payload);

    /// <summary>A <c>gateway</c> record, e.g. <c>{"v":1,"event":"uplink.rejected",…}</c>.</summary>
    public Task<AppendResult> AppendGatewayAsync(string site, byte[] payload) => AppendAsync(site, "", GatewayLeaf, payload);

    /// <summary>A node's <c>state</c> message as a <c>state</c> record.</summary>
    public Task<AppendResult> AppendStateAsync(string site, string nodeId, byte[] payload) => AppendAsync(site, nodeId, "state", payload);

    /// <summary>A dead-lettered record sent again (docs/gateway.md "Dead letters"): same site, node, kind and payload
    /// under a new gateway seq. Stored with the gateway's own boot so the (node, boot, seq) dedupe does not take it
    /// for the node's original; kept class, so the quota never drops what an operator chose to replay.</summary>
    public Task<AppendResult> AppendReplayAsync(DeadLetter letter)
        => _outbox.AppendAsync(new OutboxAppend(letter.Site, letter.NodeId, letter.Leaf, OwnBoot, Interlocked.Increment(ref _seq), MessageClass.Kept,
            letter.Payload, letter.ReceivedUnixMs));

    Task<AppendResult> AppendAsync(string site, string nodeId, string leaf, byte[] payload)
        => _outbox.AppendAsync(new OutboxAppend(site, nodeId, leaf, OwnBoot, Interlocked.Increment(ref _seq), MessageClass.Kept, payload,
            DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()));

    /// <summary>Serialises a small document with <see cref="Utf8JsonWriter"/>.</summary>
    public static byte[] Json(Action<Utf8JsonWriter> write)
    {
        using var buffer = new System.IO.MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("v", 1);
            write(writer);
            writer.WriteEndObject();
        }
        return buffer.ToArray();
    }
}
