using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Edge.Cli.Commands;
using Edge.Cloud.Domain;
using Edge.Cloud.Inventory;
using Edge.Cloud.Lighting;
using Edge.Firmware.Lighting;
using Edge.Firmware.Time;

namespace Edge.Cloud.Web.Technicians;

/// <summary>One switch point as the form shows it: the anchor (<c>at</c>) and the level; everything else of the point
/// stays as the JSON has it.</summary>
public sealed class PointField
{
    /// <summary>Which point: <c>{profile index}.{point index}</c>.</summary>
    public string? Key { get; set; }
    public string? At { get; set; }
    public double? Level { get; set; }
}

/// <summary>The level over one night (every 5 minutes from an hour before sunset to an hour after sunrise) and the
/// figures of <see cref="NightPreview"/> for it.</summary>
public sealed record NightView(NightPreview Preview, IReadOnlyList<(long At, double? Level)> Curve, long From, long To,
    long? Sunset, long? Sunrise, IReadOnlyList<long> SwitchPoints);

/// <summary>How far a profile has reached the nodes of a group: who runs the config the cloud wants, who does not and why.</summary>
public sealed record Rollout(string Group, int Nodes, int Current, IReadOnlyList<(string Node, string Reason)> Behind);

/// <summary>
/// The profile editor's work: validation by the firmware's own parser (<see cref="ProfileService.Validate"/>, the
/// check the cloud makes on <c>PUT /profiles</c>), the form's edits applied to the JSON document, the night preview
/// with the node's dimming engine, and rollout per group.
/// </summary>
public sealed class ProfileBoards(ProfileService profiles, InventoryService inventory)
{
    public const int CurveStep = 300;

    /// <summary>The points of every profile of a document, for the form (none when the JSON does not parse).</summary>
    public static List<PointField> Points(string json)
    {
        var fields = new List<PointField>();
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json);
        }
        catch (JsonException)
        {
            return fields;
        }
        if (root?["profiles"] is not JsonArray list) return fields;
        for (var p = 0; p < list.Count; p++)
        {
            if (list[p]?["points"] is not JsonArray points) continue;
            for (var i = 0; i < points.Count; i++)
            {
                var point = points[i] as JsonObject;
                fields.Add(new PointField
                {
                    Key = $"{p}.{i}",
                    At = point?["at"] is JsonValue at && at.TryGetValue<string>(out var a) ? a : null,
                    Level = point?["level"] is JsonValue level && level.TryGetValue<double>(out var l) ? l : null,
                });
            }
        }
        return fields;
    }

    /// <summary>The JSON path of a form point's member, as the parser names it: <c>profiles[0].points[2].level</c>.</summary>
    public static string PathOf(PointField field, string member)
    {
        var parts = (field.Key ?? "0.0").Split('.');
        return $"profiles[{parts[0]}].points[{parts[1]}].{member}";
    }

    /// <summary>The id of the profile a form point belongs to.</summary>
    public static string? ProfileOf(string json, PointField field)
    {
        try
        {
            return JsonNode.Parse(json)?["profiles"]?[int.Parse((field.Key ?? "0.0").Split('.')[0], System.Globalization.CultureInfo.InvariantCulture)]?["id"]?.GetValue<string>();
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or ArgumentOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary>Writes the form's points into the document (<c>profiles[p].points[i].at/level</c>).</summary>
    public static string Apply(string json, IEnumerable<PointField> points)
    {
        var root = JsonNode.Parse(json)!;
        foreach (var field in points)
        {
            var parts = (field.Key ?? "").Split('.');
            if (parts.Length != 2 || !int.TryParse(parts[0], out var p) || !int.TryParse(parts[1], out var i)) continue;
            if (root["profiles"]?[p]?["points"]?[i] is not JsonObject point) continue;
            point["at"] = field.At;
            point["level"] = field.Level is { } level && level == Math.Floor(level) ? JsonValue.Create((long)level) : JsonValue.Create(field.Level);
        }
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>Every problem with its JSON path, as the node would report it (empty: valid).</summary>
    public static IReadOnlyList<string> Validate(string json) => ProfileService.Validate(Encoding.UTF8.GetBytes(json));

    /// <summary>The problems that belong to one field (their path starts with <paramref name="path"/>).</summary>
    public static IEnumerable<string> At(IReadOnlyList<string> errors, string path) =>
        errors.Where(e => e.StartsWith(path + ":", StringComparison.Ordinal) || e.StartsWith(path + ".", StringComparison.Ordinal));

    public async Task<LightingProfile?> FindAsync(string id, CancellationToken ct = default)
    {
        try
        {
            return await profiles.GetAsync(id, ct);
        }
        catch (DomainException e) when (e.Status == 404)
        {
            return null;
        }
    }

    public static NightView Night(LightingSchedule schedule, double lat, double lon, PosixTimeZone zone, DateOnly date, double watts)
    {
        var preview = NightPreview.Compute(schedule, lat, lon, zone, date, watts);
        var engine = new DimmingEngine(schedule, lat, lon, zone);
        var evening = new SunTimes();
        var morning = new SunTimes();
        SunClock.Compute(lat, lon, date.Year, date.Month, date.Day, evening);
        var next = date.AddDays(1);
        SunClock.Compute(lat, lon, next.Year, next.Month, next.Day, morning);
        engine.NightBounds(DimmingEngine.Night(date.Year, date.Month, date.Day), out var start, out var end);
        long? sunset = evening.HasSunset ? evening.SunsetUtc : null;
        long? sunrise = morning.HasSunrise ? morning.SunriseUtc : null;
        var from = sunset is { } s ? s - 3600 : start;
        var to = sunrise is { } r ? r + 3600 : end;
        var curve = new List<(long, double?)>();
        for (var t = from; t <= to; t += CurveStep) curve.Add((t, engine.ScheduledLevelAt(t)));
        var instants = new long[LightingSchedule.MaxPointsPerProfile];
        var levels = new float[LightingSchedule.MaxPointsPerProfile];
        engine.ResolveNight(DimmingEngine.Night(date.Year, date.Month, date.Day), instants, levels, out var count);
        return new NightView(preview, curve, from, to, sunset, sunrise, instants.Take(count).OrderBy(t => t).ToList());
    }

    /// <summary>Where the preview is computed: the mean position of the site's street lights (a town spans a few
    /// kilometres; the sun clock moves by seconds over that), or null when none has a position.</summary>
    public async Task<(double Lat, double Lon)?> PositionAsync(CancellationToken ct = default)
    {
        var lights = (await inventory.ListNodesAsync(null, null, null, null, "streetlight", ct)).Where(n => n.Lat is not null && n.Lon is not null).ToList();
        return lights.Count == 0 ? null : (lights.Average(n => n.Lat!.Value), lights.Average(n => n.Lon!.Value));
    }

    public async Task<IReadOnlyList<Rollout>> RolloutAsync(string profile, CancellationToken ct = default)
    {
        var result = new List<Rollout>();
        foreach (var group in (await inventory.ListGroupsAsync(ct)).Where(g => g.Profile == profile))
        {
            var nodes = await inventory.ListNodesAsync(null, group.Id, null, null, null, ct);
            var behind = nodes.Where(n => n.DesiredConfigVersion is null || n.AppliedConfigVersion != n.DesiredConfigVersion)
                .Select(n => (n.Id, Reason(n))).ToList();
            result.Add(new Rollout(group.Id, nodes.Count, nodes.Count - behind.Count, behind));
        }
        return result;
    }

    /// <summary>Why a node does not run the wanted config yet (a text key and its arguments, joined by '|').</summary>
    private static string Reason(NodeInfo node) => node.Status switch
    {
        null => "Rollout_NeverSeen",
        "offline" or "lost" => "Rollout_Offline",
        "asleep" => "Rollout_Asleep",
        _ => $"Rollout_Waiting|{node.DesiredConfigVersion}|{node.AppliedConfigVersion?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "—"}",
    };
}
