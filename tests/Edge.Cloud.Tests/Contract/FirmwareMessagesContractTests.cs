using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Edge.Cloud.Alarms;
using Edge.Cloud.Tests.Support;
using Edge.Firmware.Hydro;
using Edge.Firmware.Lighting;
using Edge.Firmware.Protocol;
using Edge.Firmware.Tests.Hydro;
using Microsoft.Extensions.DependencyInjection;

namespace Edge.Cloud.Tests.Contract;

/// <summary>
/// The firmware's encoders and the cloud implement the same contract (docs/protocol.md §6–§10) from two sides.
/// Every message a node can write — telemetry of each node type (a new gauge with no level yet too), every event,
/// every ack result, every <c>state</c> including the will — is posted through the cloud's batch endpoint as a
/// gateway would, must be accepted, and must derive exactly the alarms docs/cloud.md §Alarms lists for it
/// (key and severity; a clearing message after its raise leaves none). A kind added on one side only would be
/// rejected for good at ingestion and lost, or stored without its alarm.
/// </summary>
public sealed class FirmwareMessagesContractTests : IClassFixture<GatewayCloud>
{
    private const long Ts = 1767304800;
    private const string Gateway = GatewayCloud.Gateway;

    private readonly GatewayCloud _cloud;

    public FirmwareMessagesContractTests(GatewayCloud cloud) => _cloud = cloud;

    /// <summary>One node message: record kind and how the firmware writes its payload.</summary>
    public sealed record Message(string Kind, Action<JsonWriter> Write);

    private static Message Event(Action<JsonWriter> write) => new("event", write);

    private static Message LampFaultEvent(LampFault fault, bool active) => Event(w => EventEncoder.WriteLampFault(w, Ts, 3, 7, fault, active, 60, 0.8, 229.7, "test"));

    private static Message FloodStateEvent(FloodState from, FloodState to) => Event(w => EventEncoder.WriteFloodState(w, Ts, 3, 7, from, to, StateChangeReason.LevelReachedThreshold, 812));

    private static Message State(NodeStatus status) => new("state", status.Write);

    private static NodeStatus Status(string status, string reason = "")
    {
        var s = new NodeStatus { Status = status, Reason = reason, Ts = Ts, Type = "waterlevel", Firmware = "1.2.0", Hardware = "esp32", ConfigVersion = 7, Boot = 3 };
        // Wakes in the future of the cloud's (real) clock, or the asleep-past-wakeTs sweep would rightly call it offline.
        if (status == NodeStatus.Asleep) s.WakeTs = DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 3600;
        return s;
    }

    /// <summary>Name, the messages one node sends in order, and the alarms (key without the target, severity) left active.</summary>
    public static IEnumerable<object[]> Cases()
    {
        // lamp.fault: docs/protocol.md §7.2 names the faults; docs/cloud.md: lamp-failure and supply-loss are major, others minor.
        foreach (var (fault, name) in new[] { (LampFault.LampFailure, "lamp-failure"), (LampFault.DayBurner, "day-burner"), (LampFault.Cycling, "cycling"), (LampFault.DimmingFailure, "dimming-failure"), (LampFault.SupplyLoss, "supply-loss") })
        {
            var severity = name is "lamp-failure" or "supply-loss" ? "major" : "minor";
            yield return Case($"lamp.fault {name} raised", [LampFaultEvent(fault, true)], $"lamp.fault:{name} {severity}");
            yield return Case($"lamp.fault {name} cleared", [LampFaultEvent(fault, true), LampFaultEvent(fault, false)]);
        }
        foreach (FloodState from in Enum.GetValues<FloodState>())
        {
            foreach (FloodState to in Enum.GetValues<FloodState>())
            {
                if (from == to) continue;
                var expected = to switch { FloodState.Alarm => new[] { "flood.state critical" }, FloodState.Warning => ["flood.state major"], _ => [] };
                // A change to a lower state follows a raise, so that it must clear something.
                Message[] messages = to is FloodState.Alarm or FloodState.Warning ? [FloodStateEvent(from, to)] : [FloodStateEvent(FloodState.Watch, FloodState.Alarm), FloodStateEvent(from, to)];
                yield return Case($"flood.state {from}->{to}", messages, expected);
            }
        }
        yield return Case("flood.rate raised", [Event(w => EventEncoder.WriteFloodRate(w, Ts, 3, 7, true, 130, 1105))], "flood.rate major");
        yield return Case("flood.rate cleared", [Event(w => EventEncoder.WriteFloodRate(w, Ts, 3, 7, true, 130, 1105)), Event(w => EventEncoder.WriteFloodRate(w, Ts, 3, 8, false, 10, 1105))]);
        yield return Case("hw.fault battery raised", [Event(w => EventEncoder.WriteHardwareFault(w, Ts, 3, 7, "battery", true, "3.01 V"))], "hw.fault:battery minor");
        yield return Case("hw.fault ultrasonic raised", [Event(w => EventEncoder.WriteHardwareFault(w, Ts, 3, 7, "ultrasonic", true, "no echo"))], "hw.fault:ultrasonic major");
        yield return Case("hw.fault cleared", [Event(w => EventEncoder.WriteHardwareFault(w, Ts, 3, 7, "battery", true, "3.01 V")), Event(w => EventEncoder.WriteHardwareFault(w, Ts, 3, 8, "battery", false, "3.4 V"))]);
        yield return Case("node.boot", [Event(w => EventEncoder.WriteNodeBoot(w, Ts, 3, 1, "power-on", "1.0.0"))]);
        yield return Case("node.watchdog", [Event(w => EventEncoder.WriteNodeWatchdog(w, Ts, 3, 7, "loop", 130))]);
        yield return Case("config.rejected", [Event(w => EventEncoder.WriteConfigRejected(w, Ts, 3, 7, "config", 44, "invalid", 43, new[] { "lighting.profiles[0].points[0].level: 140 is out of range 0..100" }, 1))]);
        yield return Case("message.rejected", [Event(w => EventEncoder.WriteMessageRejected(w, Ts, 3, 7, "cmd", "malformed", "no id"))]);

        yield return Case("streetlight telemetry", [new("telemetry", w => TelemetryEncoder.WriteStreetLight(w, Ts, 3, 7, 60, "schedule", 38.4, 230.1, 412873, 10233.4, 2871, 0.4, LampFault.None))]);
        yield return Case("streetlight telemetry with faults, no lux", [new("telemetry", w => TelemetryEncoder.WriteStreetLight(w, Ts, 3, 7, 100, "override", 0.2, 229, 5, 1.5, 3, -1, LampFault.LampFailure | LampFault.Cycling))]);
        yield return Case("busstop telemetry", [new("telemetry", w => TelemetryEncoder.WriteBusStop(w, Ts, 3, 7, 51734, false, Ts - 19, 12.1))]);
        yield return Case("waterlevel telemetry", [new("telemetry", w => TelemetryEncoder.WriteWaterLevel(w, Ts, 3, 7, Gauge(withLevel: true)))]);
        // protocol.md §6.3: levelMm is omitted until the first accepted sample — a new gauge still reports.
        yield return Case("waterlevel telemetry before the first accepted sample", [new("telemetry", w => TelemetryEncoder.WriteWaterLevel(w, Ts, 3, 7, Gauge(withLevel: false)))]);

        foreach (CommandResult result in Enum.GetValues<CommandResult>())
            yield return Case($"ack {result}", [new("ack", w => AckEncoder.Write(w, "c-1", result, CommandResult.Ok, Ts, 3, 7, result is CommandResult.Ok ? "" : "detail"))]);

        // state (§8): birth, asleep, a planned reboot, the will; online after offline clears node.offline.
        yield return Case("state online", [State(Status(NodeStatus.Online))]);
        yield return Case("state asleep", [State(Status(NodeStatus.Asleep))]);
        // A planned offline (reboot, update, shutdown) raises nothing; only a lost node does, after the grace period (cloud.md).
        yield return Case("state offline (reboot)", [State(Status(NodeStatus.Offline, "reboot"))]);
        yield return Case("state: the will", [new("state", NodeStatus.WriteWill)], "node.offline major");
        yield return Case("state online after the will", [new("state", NodeStatus.WriteWill), State(Status(NodeStatus.Online))]);
        yield return Case("state asleep after the will", [new("state", NodeStatus.WriteWill), State(Status(NodeStatus.Asleep))]);
    }

    private static object[] Case(string name, Message[] messages, params string[] alarms) => [name, messages, alarms];

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Every_message_a_node_writes_is_accepted_and_derives_the_documented_alarms(string name, Message[] messages, string[] alarms)
    {
        var node = "n-" + _cloud.NextSeq();
        await _cloud.AssignNodeAsync(node, "streetlight");
        var records = new JsonArray();
        foreach (var message in messages)
        {
            var writer = new JsonWriter(new byte[4096]);
            message.Write(writer);
            records.Add(new JsonObject
            {
                ["seq"] = _cloud.NextSeq(), ["node"] = node, ["site"] = Records.Site, ["kind"] = message.Kind, ["receivedAt"] = Ts,
                ["payload"] = JsonNode.Parse(Encoding.UTF8.GetString(writer.Buffer, 0, writer.Length)),
            });
        }
        var batch = new JsonObject { ["v"] = 1, ["gateway"] = Gateway, ["sentAt"] = Ts, ["records"] = records };

        using var response = await _cloud.Server.Client.PostAsync($"/api/v1/gateways/{Gateway}/batches", new StringContent(batch.ToJsonString(), Encoding.UTF8, "application/json"));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{name}: {(int)response.StatusCode} {body}");
        var answer = JsonDocument.Parse(body).RootElement;
        Assert.True(answer.GetProperty("rejected").GetArrayLength() == 0, $"{name}: rejected {answer.GetProperty("rejected")}\n{records.ToJsonString()}");
        Assert.Equal(messages.Length, answer.GetProperty("accepted").GetInt32());

        var services = _cloud.Server.App.Services;
        await services.GetRequiredService<RecordFeed>().RunOnceAsync();
        var active = await services.GetRequiredService<AlarmService>().ListAsync("active", node, null, 100);
        var target = "@" + Records.Site + "/" + node;
        Assert.Equal(alarms.Order(), active.Select(a => (a.Key.EndsWith(target, StringComparison.Ordinal) ? a.Key[..^target.Length] : a.Key) + " " + a.Severity).Order());
    }

    private static Gauge Gauge(bool withLevel)
    {
        var config = GaugeConfigReader.Parse(File.ReadAllBytes(Edge.Firmware.Tests.Repo.File("docs/examples/hydro/gauge.json")));
        var gauge = new Gauge(config, new FakeStorage(), new RecordingEvents());
        if (withLevel)
        {
            var readings = Enumerable.Repeat(2400, config.BurstSize).ToArray();
            gauge.Submit(Ts - 60, readings, readings.Length);
        }
        gauge.UpdateBattery(3900);
        return gauge;
    }
}
