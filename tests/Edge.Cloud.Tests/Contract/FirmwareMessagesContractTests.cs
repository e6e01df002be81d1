using System;
using System.Collections.Generic;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Edge.Cloud.Ingestion;
using Edge.Firmware.Hydro;
using Edge.Firmware.Lighting;
using Edge.Firmware.Protocol;

namespace Edge.Cloud.Tests.Contract;

/// <summary>
/// The firmware's encoders and the cloud's record validator implement the same contract
/// (docs/protocol.md §6–§10) from two sides. Every message a node can write must be accepted by the
/// cloud: a kind added on one side only would be rejected for good at ingestion and lost.
/// </summary>
public class FirmwareMessagesContractTests
{
    private const long Ts = 1767304800;

    public static IEnumerable<object[]> Events()
    {
        foreach (LampFault fault in new[] { LampFault.LampFailure, LampFault.DayBurner, LampFault.Cycling, LampFault.DimmingFailure, LampFault.SupplyLoss })
            foreach (bool active in new[] { true, false })
                yield return new object[] { $"lamp.fault {fault} {active}", (Action<JsonWriter>)(w => EventEncoder.WriteLampFault(w, Ts, 3, 7, fault, active, 60, 0.8, 229.7, "test")) };
        foreach (FloodState from in Enum.GetValues<FloodState>())
            foreach (FloodState to in Enum.GetValues<FloodState>())
                if (from != to)
                    yield return new object[] { $"flood.state {from}->{to}", (Action<JsonWriter>)(w => EventEncoder.WriteFloodState(w, Ts, 3, 7, from, to, StateChangeReason.LevelReachedThreshold, 812)) };
        foreach (bool active in new[] { true, false })
            yield return new object[] { $"flood.rate {active}", (Action<JsonWriter>)(w => EventEncoder.WriteFloodRate(w, Ts, 3, 7, active, 130, 1105)) };
        yield return new object[] { "node.boot", (Action<JsonWriter>)(w => EventEncoder.WriteNodeBoot(w, Ts, 3, 1, "power-on", "1.0.0")) };
        yield return new object[] { "node.watchdog", (Action<JsonWriter>)(w => EventEncoder.WriteNodeWatchdog(w, Ts, 3, 7, "loop", 130)) };
        yield return new object[] { "config.rejected", (Action<JsonWriter>)(w => EventEncoder.WriteConfigRejected(w, Ts, 3, 7, "config", 44, "invalid", 43, new[] { "lighting.profiles[0].points[0].level: 140 is out of range 0..100" }, 1)) };
        foreach (bool active in new[] { true, false })
            yield return new object[] { $"hw.fault {active}", (Action<JsonWriter>)(w => EventEncoder.WriteHardwareFault(w, Ts, 3, 7, "battery", active, "3.01 V")) };
        yield return new object[] { "message.rejected", (Action<JsonWriter>)(w => EventEncoder.WriteMessageRejected(w, Ts, 3, 7, "cmd", "malformed", "no id")) };
    }

    public static IEnumerable<object[]> Telemetry()
    {
        yield return new object[] { "streetlight", (Action<JsonWriter>)(w => TelemetryEncoder.WriteStreetLight(w, Ts, 3, 7, 60, "schedule", 38.4, 230.1, 412873, 10233.4, 2871, 0.4, LampFault.None)) };
        yield return new object[] { "streetlight with faults, no lux", (Action<JsonWriter>)(w => TelemetryEncoder.WriteStreetLight(w, Ts, 3, 7, 100, "override", 0.2, 229, 5, 1.5, 3, -1, LampFault.LampFailure | LampFault.Cycling)) };
        yield return new object[] { "busstop", (Action<JsonWriter>)(w => TelemetryEncoder.WriteBusStop(w, Ts, 3, 7, 51734, false, Ts - 19, 12.1)) };
    }

    public static IEnumerable<object[]> Acks()
    {
        foreach (CommandResult result in Enum.GetValues<CommandResult>())
            yield return new object[] { result.ToString(), (Action<JsonWriter>)(w => AckEncoder.Write(w, "c-1", result, CommandResult.Ok, Ts, 3, 7, result is CommandResult.Ok ? "" : "detail")) };
    }

    [Theory]
    [MemberData(nameof(Events))]
    public void Every_event_a_node_writes_is_accepted(string name, Action<JsonWriter> write) => AssertAccepted(name, "event", write);

    [Theory]
    [MemberData(nameof(Telemetry))]
    public void Telemetry_a_node_writes_is_accepted(string name, Action<JsonWriter> write) => AssertAccepted(name, "telemetry", write);

    [Theory]
    [MemberData(nameof(Acks))]
    public void Every_ack_a_node_writes_is_accepted(string name, Action<JsonWriter> write) => AssertAccepted(name, "ack", write);

    private static void AssertAccepted(string name, string kind, Action<JsonWriter> write)
    {
        var writer = new JsonWriter(new byte[4096]);
        write(writer);
        var payload = JsonNode.Parse(Encoding.UTF8.GetString(writer.Buffer, 0, writer.Length))!;
        var record = new JsonObject
        {
            ["seq"] = 1, ["node"] = "wl-0003", ["site"] = "igoumenitsa", ["kind"] = kind, ["receivedAt"] = Ts, ["payload"] = payload,
        };
        using var document = JsonDocument.Parse(record.ToJsonString());
        var check = RecordValidator.Validate("gw-1", document.RootElement);
        Assert.True(check.Error is null, $"{name}: {check.Error}\n{payload.ToJsonString()}");
        Assert.NotNull(check.Record);
    }
}
