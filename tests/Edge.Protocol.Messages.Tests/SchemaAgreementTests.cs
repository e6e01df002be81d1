using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Edge.Firmware.Hydro;
using Edge.Firmware.Lighting;
using Edge.Firmware.Protocol;

namespace Edge.Protocol.Messages.Tests;

/// <summary>
/// One contract, one verdict: every sample gets the same answer from the published JSON Schema (docs/schemas/, judged
/// by JsonSchema.Net) and from <see cref="NodeMessageValidator"/> (what the gateway and the cloud run), and that answer
/// is the expected one. Valid samples are the examples printed in docs/protocol.md and what the node firmware writes;
/// invalid ones break one rule each.
/// </summary>
public sealed class SchemaAgreementTests
{
    const long Ts = 1767304800;

    /// <summary>Every node → gateway example of docs/protocol.md §6–§8, §10.3, classified by its members.</summary>
    public static TheoryData<string, string> ProtocolExamples()
    {
        var text = File.ReadAllText(Path.Combine(Schemas.RepoRoot(), "docs", "protocol.md"));
        var data = new TheoryData<string, string>();
        foreach (Match block in Regex.Matches(text, "```json\\n(.*?)\\n```", RegexOptions.Singleline))
        {
            var json = block.Groups[1].Value.Trim();
            if (JsonNode.Parse(json) is not JsonObject o) continue;
            string? leaf = o.ContainsKey("status") ? "state"
                : o.ContainsKey("result") ? "cmd/ack"
                : o.ContainsKey("kind") && o.ContainsKey("boot") ? "event"
                : o.ContainsKey("type") && o.ContainsKey("seq") && !o.ContainsKey("version") ? "telemetry"
                : null; // config, cmd, display, time: gateway → node
            if (leaf is not null) data.Add(leaf, json);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(ProtocolExamples))]
    public void Every_example_in_protocol_md_is_valid_for_both(string leaf, string json) => AssertVerdict(leaf, json, true);

    [Fact]
    public void The_examples_cover_every_leaf_and_type()
    {
        var examples = ProtocolExamples().Select(row => ((string)row[0], (string)row[1])).ToList();
        Assert.Equal(["cmd/ack", "event", "state", "telemetry"], examples.Select(e => e.Item1).Distinct().Order());
        Assert.Equal(3, examples.Count(e => e.Item1 == "telemetry"));
        Assert.True(examples.Count(e => e.Item1 == "event") >= 8);
    }

    public static TheoryData<string, string> FirmwareMessages()
    {
        var data = new TheoryData<string, string>();
        void Add(string leaf, Action<JsonWriter> write)
        {
            var writer = new JsonWriter(new byte[4096]);
            write(writer);
            data.Add(leaf, Encoding.UTF8.GetString(writer.Buffer, 0, writer.Length));
        }
        Add("telemetry", w => TelemetryEncoder.WriteStreetLight(w, Ts, 3, 7, 60, "schedule", 38.4, 230.1, 412873, 10233.4, 2871, 0.4, LampFault.None));
        Add("telemetry", w => TelemetryEncoder.WriteStreetLight(w, Ts, 3, 7, 100, "override", 0.2, 229, 5, 1.5, 3, -1, LampFault.LampFailure | LampFault.Cycling));
        Add("telemetry", w => TelemetryEncoder.WriteBusStop(w, Ts, 3, 7, 51734, false, Ts - 19, 12.1));
        foreach (LampFault fault in new[] { LampFault.LampFailure, LampFault.DayBurner, LampFault.Cycling, LampFault.DimmingFailure, LampFault.SupplyLoss })
            Add("event", w => EventEncoder.WriteLampFault(w, Ts, 3, 7, fault, true, 60, 0.8, 229.7, "test"));
        foreach (FloodState from in Enum.GetValues<FloodState>())
            foreach (FloodState to in Enum.GetValues<FloodState>())
                if (from != to) Add("event", w => EventEncoder.WriteFloodState(w, Ts, 3, 7, from, to, StateChangeReason.LevelReachedThreshold, 812));
        Add("event", w => EventEncoder.WriteFloodRate(w, Ts, 3, 7, false, 130, 1105));
        Add("event", w => EventEncoder.WriteNodeBoot(w, Ts, 3, 1, "power-on", "1.0.0"));
        Add("event", w => EventEncoder.WriteNodeWatchdog(w, Ts, 3, 7, "loop", 130));
        Add("event", w => EventEncoder.WriteConfigRejected(w, Ts, 3, 7, "config", 44, "invalid", 43, new[] { "lighting.profiles[0].points[0].level: 140 is out of range 0..100" }, 1));
        Add("event", w => EventEncoder.WriteHardwareFault(w, Ts, 3, 7, "battery", true, "3.01 V"));
        Add("event", w => EventEncoder.WriteMessageRejected(w, Ts, 3, 7, "cmd", "malformed", "no id"));
        foreach (CommandResult result in Enum.GetValues<CommandResult>())
            Add("cmd/ack", w => AckEncoder.Write(w, "c-1", result, CommandResult.Ok, Ts, 3, 7, result is CommandResult.Ok ? "" : "detail"));
        Add("state", NodeStatus.WriteWill);
        foreach (var status in new[] { NodeStatus.Online, NodeStatus.Offline, NodeStatus.Asleep })
        {
            // As the host build (the demo) writes them: a reset cause of its own and the host's free memory.
            var state = new NodeStatus
            {
                Status = status, Reason = "reboot", Ts = Ts, Type = "waterlevel", Firmware = "1.2.0", Hardware = "host", ConfigVersion = 7,
                DisplayVersion = 51734, Boot = 5, ResetReason = "deepsleep", UptimeS = 864012, TimeSource = "rtc", LastSyncTs = Ts - 3600,
                Rssi = -78, HeapFree = 25_253_956_504, OutboxQueued = 2, WakeTs = Ts + 900,
            };
            Add("state", state.Write);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(FirmwareMessages))]
    public void What_the_node_firmware_writes_is_valid_for_both(string leaf, string json) => AssertVerdict(leaf, json, true);

    const string Light = "\"v\":1,\"type\":\"streetlight\",\"ts\":1767304800,\"boot\":17,\"seq\":2291";
    const string Water = "\"v\":1,\"type\":\"waterlevel\",\"ts\":1767304800,\"boot\":5,\"seq\":88";
    const string Stop = "\"v\":1,\"type\":\"busstop\",\"ts\":1767304800,\"boot\":3,\"seq\":1207";
    const string Ev = "\"v\":1,\"ts\":1767305400,\"boot\":5,\"seq\":91";
    const string Ack = "\"v\":1,\"ts\":1767305403,\"boot\":17,\"seq\":2305";

    /// <summary>(leaf, payload, valid): each invalid one breaks exactly one rule.</summary>
    public static TheoryData<string, string, bool> Samples() => new()
    {
        { "telemetry", "{" + Light + ",\"level\":60}", true },
        { "telemetry", "{" + Light + ",\"level\":60,\"someFutureMember\":{\"x\":[1,2]}}", true },
        { "telemetry", "{" + Light + "}", false },                                              // level required
        { "telemetry", "{" + Light + ",\"level\":140}", false },                                 // out of range
        { "telemetry", "{" + Light + ",\"level\":\"60\"}", false },                              // wrong type
        { "telemetry", "{" + Light + ",\"level\":60,\"source\":\"magic\"}", false },              // unknown enum
        { "telemetry", "{" + Light + ",\"level\":60,\"faults\":[\"lamp-failure\",\"smoke\"]}", false },
        { "telemetry", "{" + Light + ",\"level\":60,\"faults\":\"lamp-failure\"}", false },
        { "telemetry", "{" + Light + ",\"level\":60,\"energyWh\":-1}", false },
        { "telemetry", "{" + Light + ",\"level\":60,\"watts\":\"38\"}", false },
        { "telemetry", "{\"v\":1,\"type\":\"lamppost\",\"ts\":1767304800,\"boot\":1,\"seq\":1,\"level\":60}", false }, // unknown type
        { "telemetry", "{\"v\":2,\"type\":\"streetlight\",\"ts\":1767304800,\"boot\":1,\"seq\":1,\"level\":60}", false },
        { "telemetry", "{\"type\":\"streetlight\",\"ts\":1767304800,\"boot\":1,\"seq\":1,\"level\":60}", false },
        { "telemetry", "{\"v\":1,\"type\":\"streetlight\",\"ts\":-5,\"boot\":1,\"seq\":1,\"level\":60}", false },
        { "telemetry", "{\"v\":1,\"type\":\"streetlight\",\"ts\":1767304800,\"boot\":-1,\"seq\":1,\"level\":60}", false },
        { "telemetry", "{\"v\":1,\"type\":\"streetlight\",\"ts\":1767304800,\"boot\":1,\"seq\":4294967296,\"level\":60}", false },
        { "telemetry", "{\"v\":1,\"type\":\"streetlight\",\"ts\":1767304800,\"boot\":1,\"level\":60}", false },
        { "telemetry", "{" + Water + ",\"state\":\"normal\"}", true },                              // levelMm omitted until the first sample
        { "telemetry", "{" + Water + ",\"levelMm\":742}", false },                                  // state required
        { "telemetry", "{" + Water + ",\"state\":\"flooding\"}", false },
        { "telemetry", "{" + Water + ",\"state\":\"watch\",\"rejected\":{\"noEcho\":-1}}", false },
        { "telemetry", "{" + Water + ",\"state\":\"watch\",\"rateAlarm\":1}", false },
        { "telemetry", "{" + Water + ",\"state\":\"watch\",\"sensor\":\"broken\"}", false },
        { "telemetry", "{" + Stop + ",\"contentVersion\":0,\"stale\":false}", true },
        { "telemetry", "{" + Stop + ",\"contentVersion\":0}", false },
        { "telemetry", "{" + Stop + ",\"stale\":false}", false },
        { "event", "{" + Ev + ",\"kind\":\"flood.state\",\"from\":\"watch\",\"to\":\"warning\"}", true },
        { "event", "{" + Ev + ",\"kind\":\"flood.state\",\"from\":\"watch\"}", false },
        { "event", "{" + Ev + ",\"kind\":\"flood.state\",\"from\":\"watch\",\"to\":\"warning\",\"cause\":\"rate\"}", false },
        { "event", "{" + Ev + ",\"kind\":\"lamp.fault\",\"active\":true}", true },
        { "event", "{" + Ev + ",\"kind\":\"lamp.fault\",\"fault\":\"lamp-failure\"}", false },
        { "event", "{" + Ev + ",\"kind\":\"lamp.fault\",\"active\":\"yes\"}", false },
        { "event", "{" + Ev + ",\"kind\":\"hw.fault\",\"part\":\"toaster\",\"active\":true}", false },
        { "event", "{" + Ev + ",\"kind\":\"config.rejected\",\"version\":-1,\"kept\":0,\"errors\":[]}", true },
        { "event", "{" + Ev + ",\"kind\":\"config.rejected\",\"version\":-2}", false },
        { "event", "{" + Ev + ",\"kind\":\"config.rejected\",\"errors\":[1]}", false },
        { "event", "{" + Ev + ",\"kind\":\"message.rejected\",\"topic\":\"config\"}", false },
        { "event", "{" + Ev + ",\"kind\":\"node.exploded\"}", false },
        { "event", "{" + Ev + "}", false },
        { "event", "{" + Ev + ",\"kind\":\"node.boot\",\"msg\":7}", false },
        { "state", "{\"v\":1,\"status\":\"online\",\"type\":\"streetlight\",\"outbox\":{\"queued\":1,\"flash\":true}}", true },
        { "state", "{\"v\":1,\"status\":\"online\",\"heapFree\":25253956504}", true },     // host build: the host's memory
        { "state", "{\"v\":1,\"status\":\"online\",\"heapFree\":-1}", false },
        { "state", "{\"v\":1,\"status\":\"sleeping\"}", false },
        { "state", "{\"v\":1}", false },
        { "state", "{\"v\":1,\"status\":\"offline\",\"reason\":\"tired\"}", false },
        { "state", "{\"v\":1,\"status\":\"online\",\"type\":\"lamppost\"}", false },
        { "state", "{\"v\":1,\"status\":\"online\",\"outbox\":{\"flash\":\"no\"}}", false },
        { "state", "{\"v\":1,\"status\":\"online\",\"configVersion\":-1}", false },
        { "cmd/ack", "{" + Ack + ",\"id\":\"c-20260102-000381\",\"result\":\"ok\"}", true },
        { "cmd/ack", "{" + Ack + ",\"id\":\"c 1\",\"result\":\"ok\"}", false },
        { "cmd/ack", "{" + Ack + ",\"id\":\"" + new string('c', 65) + "\",\"result\":\"ok\"}", false },
        { "cmd/ack", "{" + Ack + ",\"id\":\"\",\"result\":\"ok\"}", false },
        { "cmd/ack", "{" + Ack + ",\"id\":\"c-1\",\"result\":\"done\"}", false },
        { "cmd/ack", "{" + Ack + ",\"result\":\"ok\"}", false },
        { "cmd/ack", "{" + Ack + ",\"id\":\"c-1\",\"result\":\"duplicate\",\"original\":\"maybe\"}", false },
        { "cmd/ack", "[1,2]", false },
    };

    [Theory]
    [MemberData(nameof(Samples))]
    public void Schema_and_validator_agree(string leaf, string json, bool valid) => AssertVerdict(leaf, json, valid);

    static void AssertVerdict(string leaf, string json, bool valid)
    {
        var check = NodeMessageValidator.Validate(leaf, Encoding.UTF8.GetBytes(json));
        Assert.True(valid == Schemas.IsValid(leaf, json), $"schema says {!valid} for {json}");
        Assert.True(valid == check.IsValid, $"validator says {check.IsValid} ({check.Error}) for {json}");
    }
}
