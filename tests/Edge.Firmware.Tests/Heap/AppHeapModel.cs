using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using Edge.Firmware.Runtime;
using Edge.Firmware.Tests.Runtime;
using Edge.Firmware.Transit;

namespace Edge.Firmware.Tests.Heap;

/// <summary>One app's managed heap on a plain ESP32, as the model counts it (bytes).</summary>
public sealed record AppHeap(string App, long Statics, long Node, long Link, long Retained, long InboundBytes, long InboundNew, long Peak,
    IReadOnlyList<KeyValuePair<string, long>> Largest, int GlyphReadsOnRedraw);

/// <summary>
/// Builds each ESP32 app's node the way its Program.cs does (same core classes, same sizes: the inbound limit
/// is read from the app's source), brings it to steady state (session up, config or display content applied,
/// telemetry flowing), and counts with <see cref="HeapWalker"/>:
/// <list type="bullet">
/// <item><b>statics</b>: every static field of the core (all static constructors run at boot) and what they hold;</item>
/// <item><b>node</b>: everything the node keeps reachable in steady state;</item>
/// <item><b>link</b>: what M2MqttLink keeps between messages (its fields and rings, see <see cref="LinkRetained"/>);</item>
/// <item><b>peak</b>: retained plus the largest inbound message in flight: M2Mqtt reads the whole packet into one
/// array and copies the payload into a second (MqttMsgPublish.Decode), so 2 × packet while it decodes; then the
/// payload array waits in the link while the runtime copies it and decodes, and the objects the new document
/// creates are live next to the old ones until the swap.</item>
/// </list>
/// Not counted: the drivers' own few objects, M2Mqtt's client, threads and queues, Wi-Fi and TLS: that is what
/// the budget leaves room for.
/// </summary>
public static class AppHeapModel
{
    public const long RetainedBudget = 48 * 1024;
    public const long PeakBudget = 64 * 1024;

    public static readonly string[] Apps = { "StreetLight", "WaterLevel", "BusStop" };

    private const long Now = 1795696200; // 2026-11-26T12:30:00Z: the display samples' time

    public static AppHeap Measure(string app)
    {
        try
        {
            return MeasureBooted(app);
        }
        finally
        {
            DisplayFonts.Use(null, null, null); // back to the hosts' generated tables for whatever runs next
        }
    }

    private static AppHeap MeasureBooted(string app)
    {
        int maxInbound = AppConstant(app, "MaxInbound");
        var options = Nodes.Options(app == "StreetLight" ? "sl-0042" : app == "WaterLevel" ? "wl-0003" : "bs-0007");
        NodeBoot(options, maxInbound);

        HeapWalker.Boot(typeof(NodeRuntime).Assembly);
        // As the bus-stop app's Program.cs does: glyphs from its resources in flash (objects of this assembly,
        // not on the model's heap), so only each face's glyph cache is counted.
        if (app == "BusStop") DisplayFonts.Use(new FlashGlyphs("Small"), new FlashGlyphs("Medium"), new FlashGlyphs("Large"));

        var link = new FakeLink { KeepHistory = false, HandOver = true }; // as M2MqttLink: payload arrays handed over
        var clock = new FakeClock { Utc = Now };
        var storage = new MemoryStorage();
        object node;
        Action tick;
        string topic;
        string first, second;
        switch (app)
        {
            case "StreetLight":
            {
                var pwm = new FakePwm();
                var n = new StreetLightNode(options, link, storage, clock, new FakePlatform(), new FakeSntp(), pwm, new FakeMeter(pwm), null, new Edge.Firmware.Lighting.LampMonitorSettings());
                node = n; tick = n.Tick; topic = "config";
                first = StreetLightConfig(1); second = StreetLightConfig(2);
                break;
            }
            case "WaterLevel":
            {
                var n = new WaterLevelNode(options, link, storage, null, clock, new FakePlatform(), new FakeSntp(), new Distance(), null, null, null, null);
                node = n; tick = n.Tick; topic = "config";
                first = WaterConfig(1); second = WaterConfig(2);
                break;
            }
            default:
            {
                var n = new BusStopNode(options, link, storage, clock, new FakePlatform(), new FakeSntp(), new Panel(), new DisplaySettings(800, 480));
                node = n; tick = n.Tick; topic = "display";
                first = BusStopDisplay(1); second = BusStopDisplay(2);
                break;
            }
        }
        string prefix = "edge/" + options.Site + "/" + options.NodeId + "/";
        void Run(int ticks) { for (int i = 0; i < ticks; i++) { tick(); clock.Advance(1000); } }

        Run(3);
        link.Deliver(prefix + topic, first, retained: true);
        Run(400); // telemetry, state, outbox drained, panel drawn
        // Two more minutes of the same content: two redraws, which must find every glyph in the caches.
        int readsBefore = GlyphReads();
        Run(120);
        int glyphReadsOnRedraw = GlyphReads() - readsBefore;
        var statics = new HeapWalker();
        statics.AddStatics(typeof(NodeRuntime).Assembly);
        var steady = new HeapWalker(statics);
        steady.Add(node, "node");

        // The largest message the app takes: a new version of its document, decoded next to the old one.
        int inbound = Encoding.UTF8.GetByteCount(second);
        if (inbound > maxInbound) throw new InvalidOperationException(app + ": the model's " + topic + " message (" + inbound + " B) exceeds the app's MaxInbound " + maxInbound);
        link.Deliver(prefix + topic, second, retained: true);
        Run(1);
        var after = new HeapWalker(steady);
        after.Add(node, "node");

        long linkBytes = LinkRetained(AppConstant(app, "InboundSlots"));
        long retained = statics.Bytes + steady.Bytes + linkBytes;
        int packet = NanoHeapLayout.Array(typeof(byte), maxInbound + 2 + prefix.Length + 16 + 2);
        int payload = NanoHeapLayout.Array(typeof(byte), maxInbound);
        long peak = retained + Math.Max(2L * packet, payload + after.Bytes);

        var largest = statics.ByOwner.Concat(steady.ByOwner)
            .GroupBy(p => p.Key).Select(g => new KeyValuePair<string, long>(g.Key, g.Sum(p => p.Value)))
            .OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).Take(8).ToList();
        return new AppHeap(app, statics.Bytes, steady.Bytes, linkBytes, retained, maxInbound, after.Bytes, peak, largest, glyphReadsOnRedraw);
    }

    /// <summary>
    /// M2MqttLink between messages (firmware/Edge.Firmware.Esp32.Drivers/M2MqttLink.cs): the link object (its
    /// instance fields counted from the compiled driver), its lock, its <see cref="ConnectAttempts"/>, the
    /// one-element topic and QoS arrays, the received-message ring (topics, references to M2Mqtt's own payload
    /// arrays, none held when idle) and the ack ring.
    /// </summary>
    public static long LinkRetained(int slots)
    {
        const int acks = 32;
        var attempts = new HeapWalker();
        attempts.Add(new ConnectAttempts(), "link");
        return NanoHeapLayout.Block * (1 + DriverInstanceFields("M2MqttLink")) + NanoHeapLayout.Block + attempts.Bytes
            + NanoHeapLayout.Array(typeof(string), 1) + NanoHeapLayout.Array(typeof(int), 1)
            + NanoHeapLayout.Array(typeof(string), slots) + NanoHeapLayout.Array(typeof(byte[]), slots)
            + NanoHeapLayout.Array(typeof(bool), slots) + NanoHeapLayout.Array(typeof(int), acks);
    }

    /// <summary>Instance fields of a driver type, read from the drivers' compile-check assembly.</summary>
    private static int DriverInstanceFields(string typeName)
    {
        string dll = NanoFramework.Esp32AppTests.CheckOutput("Edge.Firmware.Esp32.Drivers");
        using var pe = new System.Reflection.PortableExecutable.PEReader(File.OpenRead(dll));
        var md = System.Reflection.Metadata.PEReaderExtensions.GetMetadataReader(pe);
        foreach (var h in md.TypeDefinitions)
        {
            var t = md.GetTypeDefinition(h);
            if (md.GetString(t.Name) != typeName) continue;
            return t.GetFields().Count(f => (md.GetFieldDefinition(f).Attributes & System.Reflection.FieldAttributes.Static) == 0);
        }
        throw new InvalidOperationException(typeName + " not found in " + dll);
    }

    /// <summary>What NodeBoot does to the provisioned options on the device.</summary>
    private static void NodeBoot(NodeOptions options, int maxInbound)
    {
        options.InboundBytes = maxInbound;
        options.LinkHandsOverPayloads = true;
        NodeOptions.UseSmallHeap(options);
    }

    /// <summary>A <c>const int</c> of the app's Program.cs (the nanoFramework app is not built here).</summary>
    public static int AppConstant(string app, string name)
    {
        string source = File.ReadAllText(Repo.File("firmware/Edge.Firmware.Esp32." + app + "/Program.cs"));
        var m = Regex.Match(source, @"const int " + name + @"\s*=\s*(\d+)\s*;");
        if (!m.Success) throw new InvalidOperationException(app + "/Program.cs has no const int " + name);
        return int.Parse(m.Groups[1].Value);
    }

    private static string StreetLightConfig(long version)
        => NodeRuntimeTests.Config(version, 300, File.ReadAllText(Repo.File("docs/examples/igoumenitsa-residential.json")));

    private static string WaterConfig(long version)
        => "{\"v\":1,\"version\":" + version + ",\"type\":\"waterlevel\",\"node\":{\"telemetryS\":300},\"water\":" + Hydro.GaugeConfigs.Stream + "}";

    /// <summary>
    /// The port stop's live content plus a full service day of timetable (routes 1, 3 and 5 every 20 minutes
    /// from 06:00 to 23:40) and tomorrow's first hours, as the gateway sends it in one <c>display</c> message.
    /// </summary>
    public static string BusStopDisplay(long version)
    {
        string content = Encoding.UTF8.GetString(Transit.TransitSamples.Bytes("live.json"));
        var routes = new[] { ("1", "Πλαταριά", "Plataria"), ("3", "Λαδοχώρι", "Ladochori"), ("5", "Σύβοτα", "Syvota") };
        var sb = new StringBuilder();
        sb.Append("{\"schema\":1,\"version\":").Append(version).Append(",\"stop\":{\"id\":\"igo-port-1\",\"name\":{\"el\":\"Λιμάνι Ηγουμενίτσας\",\"en\":\"Igoumenitsa Port\"}},\"days\":[");
        void Day(string date, int fromMin, int toMin, bool last)
        {
            sb.Append("{\"date\":\"").Append(date).Append("\",\"utcOffset\":\"+02:00\",\"departures\":[");
            bool firstDep = true;
            for (int m = fromMin; m <= toMin; m += 20)
            {
                var (route, el, en) = routes[(m / 20) % 3];
                if (!firstDep) sb.Append(',');
                firstDep = false;
                sb.Append("{\"route\":\"").Append(route).Append("\",\"headsign\":{\"el\":\"").Append(el).Append("\",\"en\":\"").Append(en)
                    .Append("\"},\"time\":\"").Append((m / 60).ToString("00")).Append(':').Append((m % 60).ToString("00")).Append("\"}");
            }
            sb.Append("]}").Append(last ? "" : ",");
        }
        Day("2026-11-26", 6 * 60, 23 * 60 + 40, false);
        Day("2026-11-27", 6 * 60, 9 * 60, true);
        sb.Append("]}");
        long shown = 1042 + version;
        return "{\"v\":1,\"version\":" + shown + ",\"generated\":" + Now + ",\"content\":" + content.Replace("\"version\": 1042", "\"version\": " + shown) + ",\"timetable\":" + sb + "}";
    }

    /// <summary>Glyphs the faces built so far have read from their stores (the built ones only: reading does not build one).</summary>
    private static int GlyphReads()
    {
        int reads = 0;
        foreach (var name in new[] { "_small", "_medium", "_large" })
        {
            var font = (BitmapFont?)typeof(DisplayFonts).GetField(name, System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!.GetValue(null);
            if (font != null) reads += font.StoreReads;
        }
        return reads;
    }

    /// <summary>A face's table where the device keeps it: the bus-stop app's resource (Fonts/*.bin), in flash.</summary>
    private sealed class FlashGlyphs(string face) : IGlyphStore
    {
        private readonly byte[] _table = File.ReadAllBytes(Repo.File(Edge.FontGen.FontTableGenerator.ResourceFile(face)));

        public void Read(int offset, byte[] into, int at, int count) => Array.Copy(_table, offset, into, at, count);
    }

    private sealed class Distance : Edge.Firmware.Hydro.IDistanceSensor
    {
        public int ReadDistanceMm() => 2800;
    }

    private sealed class Panel : IDisplayPanel
    {
        public void BeginFrame(bool full) { }
        public void WriteBand(int firstRow, int rowCount, byte[] band, int bytesPerRow) { }
        public bool EndFrame() => true;
    }
}
