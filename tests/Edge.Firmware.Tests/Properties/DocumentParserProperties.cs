using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json.Nodes;
using CsCheck;
using Edge.Firmware.Hydro;
using Edge.Firmware.Lighting;
using Edge.Firmware.Protocol;
using Edge.Firmware.Tests.Transit;
using Edge.Firmware.Transit;

namespace Edge.Firmware.Tests.Properties;

/// <summary>
/// The parsers of the documents the cloud sends — dimming schedule (docs/dimming-profiles.md), gauge config
/// (docs/water-gauge.md), display content (docs/display-content.md) — on their documented examples edited at
/// random: a member replaced by another JSON value, removed, an unknown member added, or the bytes cut short.
/// Whatever the edit, a parser either returns a document or throws its documented <see cref="JsonFormatException"/>
/// (a <see cref="DocumentRejectedException"/> listing at least one problem when the syntax was fine) with a
/// message — never another exception, which on a node would be a crash loop instead of a <c>config.rejected</c>.
/// For the schedule, a point's level is accepted exactly in the documented range 0..100, and a rejection names
/// the point's path.
/// </summary>
public class DocumentParserProperties
{
    private static readonly string ScheduleExample = File.ReadAllText(Repo.File("docs/examples/igoumenitsa-residential.json"));
    private static readonly string GaugeExample = File.ReadAllText(Repo.File("docs/examples/hydro/gauge.json"));
    private static readonly string DisplayExample = Encoding.UTF8.GetString(TransitSamples.Bytes("live.json"));

    private static readonly Gen<JsonNode?> Replacement = Gen.OneOf<JsonNode?>(new IGen<JsonNode?>[]
    {
        Gen.Long.Select(v => (JsonNode?)JsonValue.Create(v)),
        Gen.Int[-200, 5000].Select(v => (JsonNode?)JsonValue.Create(v)),
        Gen.Double.Select(v => double.IsFinite(v) ? (JsonNode?)JsonValue.Create(v) : JsonValue.Create(1e300)),
        Gen.String[0, 12].Select(v => (JsonNode?)JsonValue.Create(v)),
        Gen.OneOf<string>("sunset", "sunrise", "time", "25:00", "01:00", "linear", "dali", "", "el", "2026-11-26T12:30:00Z").Select(v => (JsonNode?)JsonValue.Create(v)),
        Gen.Bool.Select(v => (JsonNode?)JsonValue.Create(v)),
        Gen.Bool.Select(_ => (JsonNode?)null),
        Gen.Bool.Select(_ => (JsonNode?)new JsonObject()),
        Gen.Bool.Select(_ => (JsonNode?)new JsonArray()),
    });

    /// <summary>0–3 structural edits of <paramref name="example"/>, then possibly a cut at a random byte.</summary>
    private static Gen<byte[]> Edited(string example) => Gen.Select(
        Gen.Select(Gen.Int[0, 2], Gen.Int[0, 100_000], Replacement).Array[0, 3], Gen.Int[0, 3], Gen.Int[0, 100_000],
        (edits, cutKind, cutAt) =>
        {
            var root = JsonNode.Parse(example)!;
            foreach (var (kind, at, value) in edits)
            {
                var nodes = Descendants(root).ToList();
                var target = nodes[at % nodes.Count];
                var parent = target.Parent;
                if (parent is null) continue;
                if (kind == 0) Replace(target, value);
                else if (kind == 1) Remove(target);
                else if (parent is JsonObject o && !o.ContainsKey("unknownMember")) o["unknownMember"] = value;
            }
            var bytes = Encoding.UTF8.GetBytes(root.ToJsonString());
            return cutKind == 0 ? bytes[..(cutAt % (bytes.Length + 1))] : bytes;
        });

    private static IEnumerable<JsonNode> Descendants(JsonNode node)
    {
        yield return node;
        IEnumerable<JsonNode?> children = node switch { JsonObject o => o.Select(kv => kv.Value), JsonArray a => a, _ => [] };
        foreach (var child in children.Where(c => c is not null)) foreach (var d in Descendants(child!)) yield return d;
    }

    private static void Replace(JsonNode target, JsonNode? value)
    {
        switch (target.Parent)
        {
            case JsonObject o: o[target.GetPropertyName()] = value; break;
            case JsonArray a: a[target.GetElementIndex()] = value; break;
        }
    }

    private static void Remove(JsonNode target)
    {
        switch (target.Parent)
        {
            case JsonObject o: o.Remove(target.GetPropertyName()); break;
            case JsonArray a: a.RemoveAt(target.GetElementIndex()); break;
        }
    }

    /// <summary>Runs <paramref name="parse"/>; only a documented rejection may escape it.</summary>
    private static void AcceptsOrRejectsCleanly(Action parse)
    {
        try
        {
            parse();
        }
        catch (DocumentRejectedException rejected)
        {
            Assert.NotEmpty(rejected.Errors);
            Assert.All(rejected.Errors, e => Assert.False(string.IsNullOrWhiteSpace(e)));
        }
        catch (JsonFormatException format)
        {
            Assert.False(string.IsNullOrWhiteSpace(format.Message));
        }
    }

    private static string Show(byte[] utf8) => Encoding.UTF8.GetString(utf8);

    [Fact]
    public void The_documented_examples_parse()
    {
        Assert.NotEmpty(LightingScheduleParser.Parse(Encoding.UTF8.GetBytes(ScheduleExample)).Profiles);
        GaugeConfigReader.Parse(Encoding.UTF8.GetBytes(GaugeExample));
        new DisplayContentParser().Parse(Encoding.UTF8.GetBytes(DisplayExample));
    }

    [Fact]
    public void The_dimming_schedule_parser_accepts_or_rejects_any_edit_of_its_example_cleanly()
        => Property.Check(Edited(ScheduleExample), doc => AcceptsOrRejectsCleanly(() => LightingScheduleParser.Parse(doc)), iterations: 300, print: Show);

    [Fact]
    public void The_gauge_config_parser_accepts_or_rejects_any_edit_of_its_example_cleanly()
        => Property.Check(Edited(GaugeExample), doc => AcceptsOrRejectsCleanly(() => GaugeConfigReader.Parse(doc)), iterations: 300, print: Show);

    [Fact]
    public void The_display_content_parser_accepts_or_rejects_any_edit_of_its_example_cleanly()
    {
        var parser = new DisplayContentParser(); // one instance, reused as on a node
        Property.Check(Edited(DisplayExample), doc => AcceptsOrRejectsCleanly(() => parser.Parse(doc)), iterations: 300, print: Show);
    }

    [Fact]
    public void A_schedule_point_level_is_accepted_exactly_in_0_to_100_and_a_rejection_names_its_path()
        => Property.Check(Gen.Select(Gen.Int[-1000, 1000], Gen.Int[0, 4]), sample =>
        {
            var (level, point) = sample;
            var root = JsonNode.Parse(ScheduleExample)!;
            root["profiles"]![0]!["points"]![point]!["level"] = level;
            var bytes = Encoding.UTF8.GetBytes(root.ToJsonString());
            if (level is >= 0 and <= 100)
            {
                var schedule = LightingScheduleParser.Parse(bytes);
                Assert.NotEmpty(schedule.Profiles);
            }
            else
            {
                var rejected = Assert.ThrowsAny<DocumentRejectedException>(() => LightingScheduleParser.Parse(bytes));
                Assert.Contains(rejected.Errors, e => e.StartsWith($"profiles[0].points[{point}].level", StringComparison.Ordinal));
            }
        }, iterations: 200);
}
