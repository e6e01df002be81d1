using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Edge.Firmware.Hydro;
using Edge.Firmware.Lighting;
using Edge.Firmware.Protocol;

namespace Edge.Firmware.Tests.Protocol;

/// <summary>
/// Encoders and decoders checked against System.Text.Json on many random valid documents (fixed seeds):
/// what our writer writes, STJ reads back identically; what STJ writes, our decoders read identically.
/// </summary>
public class CodecPropertyTests
{
    private static readonly string[] Pieces = { "a", "Z", "0", " ", "\"", "\\", "/", "\n", "\t", "\u0001", "\u001f", "é", "Λιμάνι", "€", "😀", "\u2028", "x-y.z" };

    private static string RandomText(Random rng, int max = 8)
    {
        var sb = new StringBuilder();
        int n = rng.Next(max + 1);
        for (int i = 0; i < n; i++) sb.Append(Pieces[rng.Next(Pieces.Length)]);
        return sb.ToString();
    }

    private static double RandomNumber(Random rng) => rng.Next(4) switch
    {
        0 => rng.Next(-1000, 1000),
        1 => Math.Round((rng.NextDouble() - 0.5) * 2000, 3),
        2 => (rng.NextDouble() - 0.5) * 1e9,
        _ => rng.NextDouble() * 1e-3,
    };

    private static JsonNode? RandomNode(Random rng, int depth)
    {
        switch (rng.Next(depth > 4 ? 5 : 7))
        {
            case 0: return JsonValue.Create(RandomText(rng));
            case 1: return JsonValue.Create((long)(rng.NextDouble() * long.MaxValue) * (rng.Next(2) == 0 ? 1 : -1));
            case 2: return JsonValue.Create(RandomNumber(rng));
            case 3: return JsonValue.Create(rng.Next(2) == 0);
            case 4: return null;
            case 5:
                var o = new JsonObject();
                int members = rng.Next(5);
                for (int i = 0; i < members; i++) o[RandomText(rng, 4) + "#" + i] = RandomNode(rng, depth + 1);
                return o;
            default:
                var a = new JsonArray();
                int items = rng.Next(5);
                for (int i = 0; i < items; i++) a.Add(RandomNode(rng, depth + 1));
                return a;
        }
    }

    private static void Write(JsonWriter w, JsonNode? node)
    {
        switch (node)
        {
            case null: w.Null(); break;
            case JsonObject o:
                w.StartObject();
                foreach (var (k, v) in o) { w.Name(k); Write(w, v); }
                w.EndObject();
                break;
            case JsonArray a:
                w.StartArray();
                foreach (var v in a) Write(w, v);
                w.EndArray();
                break;
            case JsonValue v when v.TryGetValue(out string? s): w.String(s); break;
            case JsonValue v when v.TryGetValue(out long l): w.Int(l); break;
            case JsonValue v when v.TryGetValue(out double d): w.Number(d); break;
            case JsonValue v when v.TryGetValue(out bool b): w.Bool(b); break;
        }
    }

    private static void AssertSame(JsonNode? expected, JsonElement actual, string path)
    {
        switch (expected)
        {
            case null: Assert.Equal(JsonValueKind.Null, actual.ValueKind); break;
            case JsonObject o:
                Assert.Equal(o.Count, actual.EnumerateObject().Count());
                foreach (var (k, v) in o) AssertSame(v, actual.GetProperty(k), path + "." + k);
                break;
            case JsonArray a:
                Assert.Equal(a.Count, actual.GetArrayLength());
                for (int i = 0; i < a.Count; i++) AssertSame(a[i], actual[i], path + "[" + i + "]");
                break;
            case JsonValue v when v.TryGetValue(out string? s): Assert.Equal(s, actual.GetString()); break;
            case JsonValue v when v.TryGetValue(out long l): Assert.Equal(l, actual.GetInt64()); break;
            case JsonValue v when v.TryGetValue(out double d):
                double rounded = Math.Round(d, 3, MidpointRounding.AwayFromZero);
                Assert.True(Math.Abs(rounded - actual.GetDouble()) <= 1e-3 * 1.0001, path + ": " + d + " written as " + actual.GetRawText());
                Assert.True(actual.GetRawText().SkipWhile(c => c != '.').Count() <= 4, path + ": more than 3 fraction digits in " + actual.GetRawText());
                break;
            case JsonValue v when v.TryGetValue(out bool b): Assert.Equal(b, actual.GetBoolean()); break;
        }
    }

    [Fact]
    public void JsonWriter_output_reads_back_identically_with_System_Text_Json()
    {
        var rng = new Random(20260101);
        var buffer = new byte[64 * 1024];
        var writer = new JsonWriter(buffer);
        for (int i = 0; i < 3000; i++)
        {
            var root = new JsonObject { ["doc"] = RandomNode(rng, 0) };
            writer.Reset();
            Write(writer, root);
            var doc = JsonDocument.Parse(buffer.AsMemory(0, writer.Length));
            AssertSame(root, doc.RootElement, "");
            // And our own reader accepts everything we write.
            var reader = new JsonReader();
            reader.Reset(buffer, 0, writer.Length);
            while (reader.Read()) { }
        }
    }

    [Fact]
    public void JsonWriter_refuses_to_overflow_its_buffer_and_non_finite_numbers()
    {
        var writer = new JsonWriter(new byte[16]);
        writer.StartObject();
        var e = Assert.Throws<JsonBufferFullException>(() => writer.Member("name", "a value that is too long"));
        Assert.Contains("16-byte buffer is full", e.Message);
        writer.Reset();
        writer.StartArray();
        Assert.Throws<ArgumentException>(() => writer.Number(double.NaN));
        Assert.Throws<ArgumentException>(() => writer.Number(double.PositiveInfinity));
    }

    [Fact]
    public void Street_light_telemetry_and_events_read_back_with_System_Text_Json()
    {
        var rng = new Random(7);
        var buffer = new byte[4096];
        var w = new JsonWriter(buffer);
        for (int i = 0; i < 500; i++)
        {
            long ts = rng.NextInt64(0, 1L << 40), boot = rng.Next(), seq = rng.Next();
            int level = rng.Next(101);
            double watts = Math.Round(rng.NextDouble() * 200, 3), volts = Math.Round(rng.NextDouble() * 250, 3), lux = rng.Next(3) == 0 ? -1 : Math.Round(rng.NextDouble() * 1000, 1);
            long energy = rng.NextInt64(0, 1L << 40), switches = rng.Next();
            double burn = rng.Next(1_000_000) / 10.0;
            var faults = (LampFault)rng.Next(32);
            w.Reset();
            TelemetryEncoder.WriteStreetLight(w, ts, boot, seq, level, "schedule", watts, volts, energy, burn, switches, lux, faults);
            var t = JsonDocument.Parse(buffer.AsMemory(0, w.Length)).RootElement;
            Assert.Equal(1, t.GetProperty("v").GetInt32());
            Assert.Equal("streetlight", t.GetProperty("type").GetString());
            Assert.Equal(ts, t.GetProperty("ts").GetInt64());
            Assert.Equal(seq, t.GetProperty("seq").GetInt64());
            Assert.Equal(level, t.GetProperty("level").GetInt32());
            Assert.Equal(watts, t.GetProperty("watts").GetDouble(), 9);
            Assert.Equal(volts, t.GetProperty("volts").GetDouble(), 9);
            Assert.Equal(energy, t.GetProperty("energyWh").GetInt64());
            Assert.Equal(burn, t.GetProperty("burnHours").GetDouble(), 9);
            Assert.Equal(lux >= 0, t.TryGetProperty("lux", out var l));
            if (lux >= 0) Assert.Equal(lux, l.GetDouble(), 9);
            var names = t.GetProperty("faults").EnumerateArray().Select(f => f.GetString()).ToArray();
            var expected = Enum.GetValues<LampFault>().Where(f => f != LampFault.None && faults.HasFlag(f))
                .Select(f => string.Concat(f.ToString().Select((c, k) => char.IsUpper(c) && k > 0 ? "-" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()))).ToArray();
            Assert.Equal(expected, names);

            string msg = RandomText(rng, 40);
            w.Reset();
            EventEncoder.WriteLampFault(w, ts, boot, seq, LampFault.Cycling, i % 2 == 0, level, watts, volts, msg);
            var e = JsonDocument.Parse(buffer.AsMemory(0, w.Length)).RootElement;
            Assert.Equal("lamp.fault", e.GetProperty("kind").GetString());
            Assert.Equal("cycling", e.GetProperty("fault").GetString());
            Assert.Equal(i % 2 == 0, e.GetProperty("active").GetBoolean());
            Assert.Equal(msg.Length == 0 ? null : msg, e.TryGetProperty("msg", out var m) ? m.GetString() : null);

            var errors = Enumerable.Range(0, rng.Next(8)).Select(_ => RandomText(rng, 60)).ToArray();
            w.Reset();
            EventEncoder.WriteConfigRejected(w, ts, boot, seq, "config", rng.Next(), "invalid", rng.Next(), errors, errors.Length);
            var r = JsonDocument.Parse(buffer.AsMemory(0, w.Length)).RootElement;
            Assert.Equal(errors.Take(5).Select(x => x.Length <= 200 ? x : x[..199] + "…"), r.GetProperty("errors").EnumerateArray().Select(x => x.GetString()));
        }
    }

    [Fact]
    public void Acks_and_state_read_back_with_System_Text_Json()
    {
        var rng = new Random(11);
        var buffer = new byte[4096];
        var w = new JsonWriter(buffer);
        foreach (CommandResult result in Enum.GetValues<CommandResult>())
        {
            string id = "c-" + rng.Next();
            w.Reset();
            AckEncoder.Write(w, id, result, CommandResult.Ok, 1767305403, 17, 2305, result == CommandResult.Rejected ? "args.level: bad" : "");
            var a = JsonDocument.Parse(buffer.AsMemory(0, w.Length)).RootElement;
            Assert.Equal(id, a.GetProperty("id").GetString());
            Assert.Equal(result.ToString().ToLowerInvariant(), a.GetProperty("result").GetString());
            Assert.Equal(result == CommandResult.Duplicate, a.TryGetProperty("original", out _));
        }
        var status = new NodeStatus { Type = "busstop", Firmware = "1.2.0", Hardware = "esp32", ConfigVersion = 43, DisplayVersion = 7, Boot = 18, OutboxQueued = 12, OutboxFlash = true };
        w.Reset();
        status.Write(w);
        var s = JsonDocument.Parse(buffer.AsMemory(0, w.Length)).RootElement;
        Assert.Equal("online", s.GetProperty("status").GetString());
        Assert.Equal(7, s.GetProperty("displayVersion").GetInt64());
        Assert.False(s.TryGetProperty("configRejected", out _));
        Assert.Equal(12, s.GetProperty("outbox").GetProperty("queued").GetInt64());
    }

    private static byte[] Build(Action<Utf8JsonWriter> body, bool indented)
    {
        var ms = new MemoryStream();
        using (var j = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = indented, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            j.WriteStartObject();
            body(j);
            j.WriteEndObject();
        }
        return ms.ToArray();
    }

    private static void Unknown(Utf8JsonWriter j, Random rng)
    {
        // Members a later version 1 may add: ignored (protocol §5.2).
        if (rng.Next(2) == 0) { j.WritePropertyName("future" + rng.Next(9)); JsonSerializer.Serialize(j, RandomNode(rng, 2)); }
    }

    [Fact]
    public void Commands_written_by_System_Text_Json_decode_to_the_same_values()
    {
        var rng = new Random(99);
        var decoder = new CommandDecoder();
        var cmd = new CommandMessage();
        for (int i = 0; i < 2000; i++)
        {
            string id = new string(Enumerable.Range(0, rng.Next(1, 65)).Select(_ => "abcXYZ019._:-"[rng.Next(13)]).ToArray());
            long issued = rng.NextInt64(1735689600, 1800000000), expires = issued + rng.Next(1, 7 * 86400);
            int level = rng.Next(101);
            long until = issued + rng.Next(1, 100000);
            string reason = RandomText(rng, 6);
            if (reason.Length > 64) reason = reason[..64];
            var bytes = Build(j =>
            {
                Unknown(j, rng);
                j.WriteNumber("v", 1);
                j.WriteString("id", id);
                Unknown(j, rng);
                j.WriteString("kind", "override");
                j.WriteStartObject("args");
                Unknown(j, rng);
                j.WriteNumber("level", level);
                j.WriteNumber("until", until);
                j.WriteString("reason", reason);
                j.WriteEndObject();
                j.WriteNumber("issued", issued);
                j.WriteNumber("expires", expires);
                Unknown(j, rng);
            }, rng.Next(2) == 0);
            decoder.Decode(bytes, 0, bytes.Length, cmd);
            Assert.Equal("", cmd.Problem);
            Assert.Equal(id, cmd.Id);
            Assert.Equal(issued, cmd.Issued);
            Assert.Equal(expires, cmd.Expires);
            Assert.Equal("", decoder.ReadArgs(cmd));
            Assert.Equal(level, cmd.Level);
            Assert.Equal(until, cmd.Until);
            Assert.Equal(reason, cmd.Reason);
        }
    }

    [Fact]
    public void Time_and_water_and_bus_stop_configs_written_by_System_Text_Json_decode_to_the_same_values()
    {
        var rng = new Random(5);
        var time = new TimeDecoder();
        var t = new TimeMessage();
        string[] sources = { "ntp", "gps", "rtc", "unsynced" };
        for (int i = 0; i < 1000; i++)
        {
            long ts = rng.NextInt64(0, 1L << 40);
            int ms = rng.Next(1000), source = rng.Next(4);
            var bytes = Build(j => { if (rng.Next(2) == 0) j.WriteNumber("future", rng.Next()); j.WriteNumber("v", 1); j.WriteNumber("ts", ts); j.WriteNumber("ms", ms); j.WriteString("source", sources[source]); }, rng.Next(2) == 0);
            time.Decode(bytes, 0, bytes.Length, t);
            Assert.Equal((ts, ms, (TimeSource)source), (t.Ts, t.Ms, t.Source));
        }

        var configs = new ConfigDecoder();
        var water = JsonNode.Parse(Hydro.GaugeConfigs.Stream)!;
        for (int i = 0; i < 300; i++)
        {
            long version = rng.NextInt64(1, 1L << 53);
            int telemetry = rng.Next(10, 86401);
            double lat = Math.Round(rng.NextDouble() * 180 - 90, 4), lon = Math.Round(rng.NextDouble() * 360 - 180, 4);
            int mount = rng.Next(1500, 5300); // the sample thresholds need at least 1100 + 300 (blind zone)
            water["mountingHeightMm"] = mount;
            var bytes = Build(j =>
            {
                j.WriteNumber("v", 1);
                Unknown(j, rng);
                j.WriteNumber("version", version);
                j.WriteString("type", "waterlevel");
                j.WriteStartObject("node");
                j.WriteNumber("telemetryS", telemetry);
                j.WriteNumber("lat", lat);
                j.WriteNumber("lon", lon);
                Unknown(j, rng);
                j.WriteEndObject();
                j.WritePropertyName("water");
                water.WriteTo(j);
            }, rng.Next(2) == 0);
            var c = configs.Decode(bytes, 0, bytes.Length, "waterlevel");
            Assert.Equal(version, c.Version);
            Assert.Equal(telemetry, c.TelemetryS);
            Assert.Equal(lat, c.Latitude, 9);
            Assert.Equal(lon, c.Longitude, 9);
            Assert.Equal(mount, c.Water!.MountingHeightMm);
            Assert.Equal(water["thresholds"]!["alarm"]!["level"]!.GetValue<int>(), c.Water.Alarm.LevelMm);

            int stale = rng.Next(30, 86401), from = rng.Next(1440), to = rng.Next(1440);
            bool small = rng.Next(2) == 0;
            bytes = Build(j =>
            {
                j.WriteNumber("v", 1);
                j.WriteNumber("version", version);
                j.WriteString("type", "busstop");
                j.WriteStartObject("busstop");
                j.WriteString("panel", small ? "epd-2in9" : "epd-7in5");
                j.WriteNumber("rotation", 90 * rng.Next(4));
                j.WriteNumber("staleAfterS", stale);
                j.WriteStartObject("quietHours");
                j.WriteString("from", $"{from / 60:00}:{from % 60:00}");
                j.WriteString("to", $"{to / 60:00}:{to % 60:00}");
                j.WriteEndObject();
                Unknown(j, rng);
                j.WriteEndObject();
            }, rng.Next(2) == 0);
            var b = configs.Decode(bytes, 0, bytes.Length, "busstop").BusStop!;
            Assert.Equal((small ? 296 : 800, stale, from, to), (b.Width, b.StaleAfterS, b.QuietFromMin, b.QuietToMin));
        }
    }

    [Fact]
    public void Display_envelopes_hand_their_documents_to_the_transit_parsers()
    {
        var content = JsonNode.Parse(Transit.TransitSamples.Bytes("live.json"))!;
        var table = JsonNode.Parse(Transit.TransitSamples.Bytes("timetable.json"))!;
        long version = content["version"]!.GetValue<long>();
        var bytes = Build(j =>
        {
            j.WriteNumber("v", 1);
            j.WriteNumber("version", version);
            j.WriteNumber("generated", 1767304770);
            j.WritePropertyName("content");
            content.WriteTo(j);
            j.WritePropertyName("timetable");
            table.WriteTo(j);
        }, true);
        var m = new DisplayDecoder().Decode(bytes, 0, bytes.Length);
        Assert.Equal(version, m.Content!.Version);
        Assert.Equal(content["arrivals"]!.AsArray().Count, m.Content.Arrivals.Length);
        Assert.Equal(table["version"]!.GetValue<long>(), m.Timetable!.Version);

        var wrong = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(bytes).Replace("\"version\": " + version + ",\n  \"generated\"", "\"version\": " + (version + 1) + ",\n  \"generated\""));
        var e = Assert.Throws<MessageFormatException>(() => new DisplayDecoder().Decode(wrong, 0, wrong.Length));
        Assert.Equal("invalid", e.Code);
        Assert.StartsWith("content.version", e.Errors[0]);
    }
}
