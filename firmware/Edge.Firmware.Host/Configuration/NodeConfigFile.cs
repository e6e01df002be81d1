using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text.Json;
using System.Text.RegularExpressions;
using Edge.Firmware.Host.Hardware;

namespace Edge.Firmware.Host.Configuration;

/// <summary>node.json was not usable; <see cref="Errors"/> says what and where, one line each.</summary>
public sealed class NodeConfigException : Exception
{
    public NodeConfigException(string file, IReadOnlyList<string> errors)
        : base(file + ": " + errors.Count + " error(s):\n  " + string.Join("\n  ", errors))
    {
        Errors = errors;
    }

    public IReadOnlyList<string> Errors { get; }
}

/// <summary>
/// Reads node.json: one node (an object), several (an array), or <c>{"nodes": [...]}</c>. Every member
/// is checked; unknown members are errors (a misspelt "secert" must not silently fall back to a
/// default). Relative paths are taken from the file's directory.
/// </summary>
public static partial class NodeConfigFile
{
    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,31}$")]
    private static partial Regex IdentifierPattern();

    public static IReadOnlyList<NodeSettings> Load(string path)
    {
        string full = Path.GetFullPath(path);
        if (!File.Exists(full)) throw new NodeConfigException(path, new[] { "file not found" });
        return Parse(File.ReadAllText(full), path, Path.GetDirectoryName(full)!);
    }

    public static IReadOnlyList<NodeSettings> Parse(string json, string fileName, string baseDirectory)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new NodeConfigException(fileName, new[] { "not valid JSON: " + e.Message });
        }
        using (document)
        {
            var errors = new List<string>();
            var nodes = new List<NodeSettings>();
            JsonElement root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("nodes", out JsonElement list))
            {
                foreach (JsonProperty p in root.EnumerateObject())
                    if (p.Name != "nodes") errors.Add(p.Name + ": unknown member (a file with \"nodes\" holds only that)");
                ReadArray(list, "nodes", baseDirectory, nodes, errors);
            }
            else if (root.ValueKind == JsonValueKind.Array) ReadArray(root, "", baseDirectory, nodes, errors);
            else if (root.ValueKind == JsonValueKind.Object) nodes.Add(ReadNode(root, "", baseDirectory, errors));
            else errors.Add("expected an object (one node), an array of nodes or {\"nodes\": [...]}");

            var seen = new Dictionary<string, int>();
            for (int i = 0; i < nodes.Count; i++)
            {
                if (nodes[i].NodeId.Length == 0) continue;
                if (seen.TryGetValue(nodes[i].NodeId, out int first))
                    errors.Add("nodes[" + i + "].nodeId: '" + nodes[i].NodeId + "' is also nodes[" + first + "]'s id (one connection per node, protocol §1.4)");
                else seen[nodes[i].NodeId] = i;
            }
            if (errors.Count > 0) throw new NodeConfigException(fileName, errors);
            return nodes;
        }
    }

    private static void ReadArray(JsonElement array, string path, string baseDirectory, List<NodeSettings> nodes, List<string> errors)
    {
        string name = path.Length == 0 ? "nodes" : path;
        if (array.ValueKind != JsonValueKind.Array) { errors.Add(name + ": expected an array of nodes"); return; }
        int i = 0;
        foreach (JsonElement node in array.EnumerateArray())
        {
            nodes.Add(ReadNode(node, name + "[" + i + "].", baseDirectory, errors));
            i++;
        }
        if (i == 0) errors.Add(name + ": no nodes");
    }

    private static NodeSettings ReadNode(JsonElement e, string at, string baseDirectory, List<string> errors)
    {
        var s = new NodeSettings();
        var r = new Reader(e, at, errors);
        if (!r.IsObject) return s;
        s.NodeId = r.Identifier("nodeId");
        s.Site = r.Identifier("site");
        s.Type = r.Enum("type", new[] { "streetlight", "waterlevel", "busstop" }, null) ?? "";
        s.Secret = r.String("secret", required: true) ?? "";
        s.Firmware = r.String("firmware", false) ?? s.Firmware;
        s.Hardware = r.String("hardware", false) ?? "host-" + s.Type;
        s.Seed = r.Int("seed", 0, int.MinValue, int.MaxValue);
        string dataDir = r.String("dataDir", false) ?? Path.Combine("data", s.NodeId);
        s.DataDir = Path.GetFullPath(Path.Combine(baseDirectory, dataDir));

        if (r.Object("broker") is { } b)
        {
            s.Broker.Host = b.String("host", false) ?? s.Broker.Host;
            s.Broker.Tls = b.Bool("tls", false);
            s.Broker.Port = b.Int("port", s.Broker.Tls ? 8883 : 1883, 1, 65535);
            string? ca = b.String("caFile", false);
            if (ca != null)
            {
                s.Broker.CaFile = Path.GetFullPath(Path.Combine(baseDirectory, ca));
                if (!File.Exists(s.Broker.CaFile)) b.Error("caFile", "'" + s.Broker.CaFile + "' does not exist");
                if (!s.Broker.Tls) b.Error("caFile", "given but tls is false");
            }
            b.RejectUnknown();
        }
        if (r.Object("location") is { } l)
        {
            s.Latitude = l.Double("lat", null, -90, 90);
            s.Longitude = l.Double("lon", null, -180, 180);
            l.RejectUnknown();
        }
        if (r.Object("clock") is { } c)
        {
            s.Clock.Speed = c.Double("speed", 1, 0.001, 100000) ?? 1;
            s.Clock.Start = c.Timestamp("start");
            s.Clock.Set = c.Bool("set", true);
            c.RejectUnknown();
        }

        Reader? lamp = r.Object("lamp"), water = r.Object("water"), display = r.Object("display");
        switch (s.Type)
        {
            case "streetlight":
                if (s.Latitude == null) r.Error("location", "a street light needs its position (lat, lon) for sun times before a config arrives (protocol §9.6)");
                s.Lamp = new LampSettings();
                if (lamp != null) ReadLamp(lamp, s.Lamp);
                break;
            case "waterlevel":
                s.Water = new WaterSettings();
                if (water != null) ReadWater(water, s.Water);
                break;
            case "busstop":
                s.Display = new DisplaySettingsHost { FramesDir = Path.Combine(s.DataDir, "frames") };
                if (display != null) ReadDisplay(display, s.Display, baseDirectory);
                break;
        }
        if (s.Type != "streetlight" && lamp != null) r.Error("lamp", "only a streetlight has a lamp");
        if (s.Type != "waterlevel" && water != null) r.Error("water", "only a waterlevel node has a water surface");
        if (s.Type != "busstop" && display != null) r.Error("display", "only a busstop has a display");
        r.RejectUnknown();
        return s;
    }

    private static void ReadLamp(Reader r, LampSettings lamp)
    {
        lamp.RatedWatts = (float)(r.Double("ratedWatts", lamp.RatedWatts, 1, 2000) ?? lamp.RatedWatts);
        lamp.SupplyVolts = (float)(r.Double("volts", lamp.SupplyVolts, 1, 400) ?? lamp.SupplyVolts);
        lamp.Noise = (float)(r.Double("noise", lamp.Noise, 0, 0.2) ?? lamp.Noise);
        lamp.CycleSeconds = r.Int("cycleS", lamp.CycleSeconds, 1, 3600);
        string? mode = r.Enum("mode", new[] { "normal", "fail", "cycle", "burn-by-day", "supply-loss" }, "normal");
        lamp.Mode = mode switch
        {
            "fail" => LampMode.Fail,
            "cycle" => LampMode.Cycle,
            "burn-by-day" => LampMode.BurnByDay,
            "supply-loss" => LampMode.SupplyLoss,
            _ => LampMode.Normal,
        };
        r.RejectUnknown();
    }

    private static void ReadWater(Reader r, WaterSettings water)
    {
        water.MountMm = r.Int("mountMm", water.MountMm, 300, 12000);
        water.NoiseMm = r.Int("noiseMm", water.NoiseMm, 0, 200);
        water.SpikeRate = r.Double("spikeRate", water.SpikeRate, 0, 1) ?? water.SpikeRate;
        water.NoEchoRate = r.Double("noEchoRate", water.NoEchoRate, 0, 1) ?? water.NoEchoRate;
        string? scenario = r.Enum("scenario", WaterSurface.ScenarioNames, null, optional: true);
        List<LevelPoint>? curve = r.Curve("curve");
        if (scenario != null && curve != null) r.Error("curve", "give either scenario or curve, not both");
        if (scenario != null) { water.Scenario = scenario; water.Curve = WaterSurface.Scenario(scenario)!; }
        if (curve != null) { water.Scenario = null; water.Curve = curve; }
        foreach (LevelPoint p in water.Curve)
            if (p.LevelMm >= water.MountMm) r.Error("curve", "level " + p.LevelMm + " mm would reach the sensor (mountMm " + water.MountMm + ")");
        r.RejectUnknown();
    }

    private static void ReadDisplay(Reader r, DisplaySettingsHost display, string baseDirectory)
    {
        display.Panel = r.Enum("panel", new[] { "epd-2in9", "epd-7in5" }, "epd-7in5")!;
        (display.Width, display.Height) = display.Panel == "epd-2in9" ? (296, 128) : (800, 480);
        string? dir = r.String("framesDir", false);
        if (dir != null) display.FramesDir = Path.GetFullPath(Path.Combine(baseDirectory, dir));
        display.KeepFrames = r.Int("keepFrames", 0, 0, 100000);
        r.RejectUnknown();
    }

    /// <summary>Reads members of one JSON object, recording "path.member: problem" errors.</summary>
    private sealed class Reader
    {
        private readonly JsonElement _e;
        private readonly string _at;
        private readonly List<string> _errors;
        private readonly HashSet<string> _known = new();

        public Reader(JsonElement e, string at, List<string> errors)
        {
            _e = e;
            _at = at;
            _errors = errors;
            IsObject = e.ValueKind == JsonValueKind.Object;
            if (!IsObject) errors.Add((at.Length == 0 ? "(root)" : at.TrimEnd('.')) + ": expected an object");
        }

        public bool IsObject { get; }

        public void Error(string member, string message) => _errors.Add(_at + member + ": " + message);

        public void RejectUnknown()
        {
            foreach (JsonProperty p in _e.EnumerateObject())
                if (!_known.Contains(p.Name)) _errors.Add(_at + p.Name + ": unknown member");
        }

        private bool TryGet(string name, out JsonElement value)
        {
            _known.Add(name);
            return _e.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null;
        }

        public string? String(string name, bool required)
        {
            if (!TryGet(name, out JsonElement v))
            {
                if (required) Error(name, "missing");
                return null;
            }
            if (v.ValueKind != JsonValueKind.String) { Error(name, "expected a string"); return null; }
            string s = v.GetString()!;
            if (required && s.Length == 0) Error(name, "must not be empty");
            return s;
        }

        public string Identifier(string name)
        {
            string? s = String(name, required: true);
            if (s == null) return "";
            if (!IdentifierPattern().IsMatch(s)) Error(name, "'" + s + "' must be 1-32 lower-case letters, digits or '-', starting with a letter or digit (protocol §2.1)");
            return s;
        }

        /// <summary>One of <paramref name="allowed"/>; required unless <paramref name="optional"/> or a fallback is given.</summary>
        public string? Enum(string name, string[] allowed, string? fallback, bool optional = false)
        {
            string? s = String(name, required: fallback == null && !optional);
            if (s == null) return fallback;
            if (Array.IndexOf(allowed, s) < 0) { Error(name, "'" + s + "' is not one of " + string.Join(", ", allowed)); return fallback; }
            return s;
        }

        public bool Bool(string name, bool fallback)
        {
            if (!TryGet(name, out JsonElement v)) return fallback;
            if (v.ValueKind is JsonValueKind.True or JsonValueKind.False) return v.GetBoolean();
            Error(name, "expected true or false");
            return fallback;
        }

        public int Int(string name, int fallback, int min, int max)
        {
            if (!TryGet(name, out JsonElement v)) return fallback;
            if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt32(out int i)) { Error(name, "expected a whole number"); return fallback; }
            if (i < min || i > max) { Error(name, i + " is out of range " + min + ".." + max); return fallback; }
            return i;
        }

        /// <summary>A number; a null <paramref name="fallback"/> makes it required.</summary>
        public double? Double(string name, double? fallback, double min, double max)
        {
            if (!TryGet(name, out JsonElement v))
            {
                if (fallback == null) Error(name, "missing");
                return fallback;
            }
            if (v.ValueKind != JsonValueKind.Number) { Error(name, "expected a number"); return fallback; }
            double d = v.GetDouble();
            if (d < min || d > max) { Error(name, d.ToString(CultureInfo.InvariantCulture) + " is out of range " + min.ToString(CultureInfo.InvariantCulture) + ".." + max.ToString(CultureInfo.InvariantCulture)); return fallback; }
            return d;
        }

        /// <summary>Unix seconds, or an ISO 8601 time with offset ("2026-01-02T18:00:00+02:00").</summary>
        public long? Timestamp(string name)
        {
            if (!TryGet(name, out JsonElement v)) return null;
            if (v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out long unix) && unix >= 0) return unix;
            if (v.ValueKind == JsonValueKind.String &&
                DateTimeOffset.TryParse(v.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset t))
                return t.ToUnixTimeSeconds();
            Error(name, "expected Unix seconds or an ISO 8601 time such as \"2026-01-02T18:00:00+02:00\"");
            return null;
        }

        public Reader? Object(string name)
        {
            if (!TryGet(name, out JsonElement v)) return null;
            var r = new Reader(v, _at + name + ".", _errors);
            return r.IsObject ? r : null;
        }

        /// <summary>[[seconds, levelMm], ...] with strictly increasing times.</summary>
        public List<LevelPoint>? Curve(string name)
        {
            if (!TryGet(name, out JsonElement v)) return null;
            if (v.ValueKind != JsonValueKind.Array) { Error(name, "expected [[seconds, levelMm], ...]"); return null; }
            var points = new List<LevelPoint>();
            int i = 0;
            foreach (JsonElement p in v.EnumerateArray())
            {
                string at = name + "[" + i + "]";
                if (p.ValueKind != JsonValueKind.Array || p.GetArrayLength() != 2
                    || !p[0].TryGetInt64(out long t) || !p[1].TryGetInt32(out int level))
                {
                    Error(at, "expected [seconds, levelMm] (two whole numbers)");
                }
                else if (t < 0 || level < 0) Error(at, "seconds and levelMm must be >= 0");
                else if (points.Count > 0 && t <= points[^1].AtSeconds) Error(at, "time " + t + " s must be after " + points[^1].AtSeconds + " s");
                else points.Add(new LevelPoint(t, level));
                i++;
            }
            if (i == 0) Error(name, "needs at least one point");
            return points.Count == i && i > 0 ? points : null;
        }
    }
}
