using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading.Tasks;
using Edge.Firmware.Host.Configuration;
using Edge.Firmware.Host.Hardware;
using Edge.Firmware.Host.Hosting;
using Edge.Node.IntegrationTests.Mosquitto;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Node.IntegrationTests;

/// <summary>
/// Issue 4's "done when": a host street light (the real runtime on virtual hardware) against a real
/// Mosquitto with per-node credentials and ACL; the gateway is played by mosquitto_pub / mosquitto_sub.
/// </summary>
public sealed class StreetLightNodeOverMosquittoTests : IAsyncLifetime
{
    private static readonly NodeAccount Account = new("kalamaki", "sl-0042", "c2wtMDA0Mi1pbnRlZ3JhdGlvbi10ZXN0LXNlY3JldC0x");

    // The node's clock runs 10× real time so telemetry every 10 node-seconds comes every second.
    private const double ClockSpeed = 10;

    private const string Config = """
        {"v":1,"version":1,"type":"streetlight","issued":1767200000,
         "node":{"telemetryS":10,"stateS":3600,"tz":"EET-2EEST,M3.5.0/3,M10.5.0/4","lat":37.8906,"lon":23.7320},
         "lighting":{"schema":1,"profiles":[{"id":"steady","points":[{"at":"time","time":"00:00","level":40}]}],
                     "calendar":{"default":"steady"}}}
        """;

    private MosquittoBroker _broker = null!;
    private string _dataDir = null!;
    private readonly List<MosquittoSub> _subs = new();

    public async Task InitializeAsync()
    {
        _broker = await MosquittoBroker.StartAsync(Account);
        _dataDir = Path.Combine(_broker.Directory, "node-data");
    }

    public async Task DisposeAsync()
    {
        foreach (MosquittoSub s in _subs) await s.DisposeAsync();
        await _broker.DisposeAsync();
    }

    [Fact]
    public async Task Connects_applies_config_acks_commands_once_and_drains_its_outbox_after_a_broker_restart()
    {
        MosquittoSub gateway = await Sub();
        var node = new RuntimeHostedNode(Settings(), NullLoggerFactory.Instance);
        try
        {
            // Birth and telemetry reach the gateway side.
            Message birth = await Expect(node, gateway, "state", m => m.Str("status") == "online", "the birth");
            Assert.Equal("streetlight", birth.Str("type"));
            Assert.Equal(0, birth.Long("configVersion"));
            await Expect(node, gateway, "event", m => m.Str("kind") == "node.boot", "node.boot");
            await Expect(node, gateway, "telemetry", m => m.Str("type") == "streetlight", "telemetry");

            // A retained config published by the gateway is applied and reported in state.
            await MosquittoPub.PublishAsync(_broker, Account.Topic("config"), Config.ReplaceLineEndings(""), retain: true);
            await Expect(node, gateway, "state", m => m.Long("configVersion") == 1, "state with configVersion 1");
            await Expect(node, gateway, "telemetry", m => m.Str("source") == "schedule" && m.Long("level") == 40, "telemetry at the scheduled 40 %");

            // A command is executed and acked.
            string overrideCommand = Command("c-1", "override", "{\"level\":80,\"until\":" + (node.Clock.UtcSeconds + 36000) + ",\"reason\":\"test\"}");
            await MosquittoPub.PublishAsync(_broker, Account.Topic("cmd"), overrideCommand);
            await Expect(node, gateway, "cmd/ack", m => m.Str("id") == "c-1" && m.Str("result") == "ok", "ack ok for c-1");
            await Expect(node, gateway, "telemetry", m => m.Str("source") == "override" && m.Long("level") == 80, "telemetry at the overridden 80 %");

            await MosquittoPub.PublishAsync(_broker, Account.Topic("cmd"), Command("c-2", "override.clear", "{}"));
            await Expect(node, gateway, "cmd/ack", m => m.Str("id") == "c-2" && m.Str("result") == "ok", "ack ok for c-2");

            // The same command again (a gateway re-send): acked duplicate with the first result, not run again.
            await MosquittoPub.PublishAsync(_broker, Account.Topic("cmd"), overrideCommand);
            Message duplicate = await Expect(node, gateway, "cmd/ack", m => m.Str("id") == "c-1" && m.Str("result") == "duplicate", "ack duplicate for c-1");
            Assert.Equal("ok", duplicate.Str("original"));
            await MosquittoPub.PublishAsync(_broker, Account.Topic("cmd"), Command("c-3", "sample-now", "{}"));
            await Expect(node, gateway, "cmd/ack", m => m.Str("id") == "c-3" && m.Str("result") == "ok", "ack ok for c-3");
            Message afterReplay = await Expect(node, gateway, "telemetry", m => m.Long("seq") > duplicate.Long("seq"), "telemetry after the replay");
            Assert.Equal("schedule", afterReplay.Str("source"));
            Assert.Equal(40, afterReplay.Long("level"));

            // An expired command is refused.
            long now = node.Clock.UtcSeconds;
            await MosquittoPub.PublishAsync(_broker, Account.Topic("cmd"),
                "{\"v\":1,\"id\":\"c-4\",\"kind\":\"override\",\"args\":{\"level\":100,\"until\":" + (now + 3600) + ",\"reason\":\"late\"},\"issued\":" + (now - 600) + ",\"expires\":" + (now - 300) + "}");
            await Expect(node, gateway, "cmd/ack", m => m.Str("id") == "c-4" && m.Str("result") == "expired", "ack expired for c-4");

            // Everything so far is acknowledged and seen by the gateway side before the broker goes down
            // (the node publishes only when ticked, so nothing new is made while we look).
            await Wait.Until(() => node.Runtime.Outbox.Count == 0, node.Tick, "the outbox to empty while connected");
            long seenBefore = node.Runtime.Ids.Seq;
            await Wait.Until(() => Parse(gateway.Messages).Where(m => m.IsOutbound).Select(m => m.Long("seq")).Distinct().Count() >= seenBefore, "mosquitto_sub to see seq 1.." + seenBefore);
            List<Message> beforeOutage = Parse(gateway.Messages);

            // The broker goes down. The node keeps working: telemetry queues, and a fault raised meanwhile
            // (the supply fails) is an event that must not be lost.
            await _broker.StopAsync();
            await gateway.DisposeAsync();
            _subs.Remove(gateway);
            await Wait.Until(() => node.Runtime.Outbox.Count >= 3, node.Tick, "three messages queued while the broker is down");
            node.Lamp!.Mode = LampMode.SupplyLoss;
            await Wait.Until(() => node.Runtime.Outbox.Count >= 6, node.Tick, "more messages queued while the broker is down");
            long lastSeqQueued = node.Runtime.Ids.Seq;

            await _broker.StartAsync();
            MosquittoSub after = await Sub();
            await Expect(node, after, "state", m => m.Str("status") == "online", "the birth after the restart");
            await Wait.Until(() => Parse(after.Messages).Any(m => m.Long("seq") >= lastSeqQueued), node.Tick,
                "the outbox to drain up to seq " + lastSeqQueued + " (saw:\n" + after.Output + ")");

            // In order, nothing lost: every seq of this boot reached the gateway, and the drained messages
            // came oldest first. (A message re-sent after a lost PUBACK keeps its seq, protocol §5.4.)
            List<Message> drained = Parse(after.Messages).Where(m => m.IsOutbound).ToList();
            List<long> drainedSeqs = drained.Select(m => m.Long("seq")).ToList();
            Assert.Equal(drainedSeqs.OrderBy(s => s), drainedSeqs);
            var all = beforeOutage.Concat(drained).Where(m => m.IsOutbound).Select(m => m.Long("seq")).ToHashSet();
            long max = all.Max();
            Assert.True(max >= lastSeqQueued);
            Assert.Equal(Enumerable.Range(1, (int)max).Select(i => (long)i), all.OrderBy(s => s));
            Assert.Contains(drained, m => m.Leaf == "event" && m.Str("kind") == "lamp.fault" && m.Str("fault") == "supply-loss");
            Assert.True(beforeOutage.Concat(drained).Where(m => m.IsOutbound).All(m => m.Long("boot") == birth.Long("boot")));
        }
        finally
        {
            node.Stop();
        }
    }

    private NodeSettings Settings() => new()
    {
        NodeId = Account.NodeId,
        Site = Account.Site,
        Type = "streetlight",
        Secret = Account.Secret,
        Broker = new BrokerSettings { Host = _broker.Host, Port = _broker.Port },
        DataDir = _dataDir,
        Latitude = 37.8906,
        Longitude = 23.7320,
        Clock = new ClockSettings { Speed = ClockSpeed },
        Seed = 42,
        Lamp = new LampSettings { RatedWatts = 40, Noise = 0 },
    };

    private static string Command(string id, string kind, string args)
    {
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        // Issued by the gateway's clock; the node's runs faster, so the expiry leaves room for that.
        return "{\"v\":1,\"id\":\"" + id + "\",\"kind\":\"" + kind + "\",\"args\":" + args + ",\"issued\":" + now + ",\"expires\":" + (now + 86400) + "}";
    }

    private async Task<MosquittoSub> Sub()
    {
        MosquittoSub sub = await MosquittoSub.StartAsync(_broker, "edge/" + Account.Site + "/" + Account.NodeId + "/#");
        _subs.Add(sub);
        return sub;
    }

    /// <summary>Ticks the node until mosquitto_sub has seen a matching message on <paramref name="leaf"/>.</summary>
    private static async Task<Message> Expect(RuntimeHostedNode node, MosquittoSub sub, string leaf, Func<Message, bool> match, string what)
    {
        Message? found = null;
        await Wait.Until(() => (found = Parse(sub.Messages).FirstOrDefault(m => m.Leaf == leaf && match(m))) != null, node.Tick,
            what + " (node: " + node.Link.State + " " + node.Link.LastError + "; mosquitto_sub saw:\n" + sub.Output + ")");
        return found!;
    }

    private static List<Message> Parse(IEnumerable<ReceivedLine> lines) =>
        lines.Where(l => l.Topic.StartsWith("edge/" + Account.Site + "/" + Account.NodeId + "/", StringComparison.Ordinal))
             .Select(l => new Message(l.Topic.Substring(("edge/" + Account.Site + "/" + Account.NodeId + "/").Length), JsonDocument.Parse(l.Payload).RootElement.Clone()))
             .ToList();

    private sealed record Message(string Leaf, JsonElement Body)
    {
        public string? Str(string name) => Body.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        /// <summary>A node → gateway message that goes through the outbox and carries boot/seq (protocol §5.4).</summary>
        public bool IsOutbound => Leaf is "telemetry" or "event" or "cmd/ack";

        public long Long(string name) => Body.TryGetProperty(name, out JsonElement v) && v.ValueKind == JsonValueKind.Number ? v.GetInt64() : -1;
    }
}
