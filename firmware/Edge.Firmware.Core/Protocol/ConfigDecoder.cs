using System;
using System.Collections;
using Edge.Firmware.Hydro;
using Edge.Firmware.Lighting;
using Edge.Firmware.Time;

namespace Edge.Firmware.Protocol;

/// <summary>
/// Reads and validates a whole <c>config</c> document (docs/protocol.md §9) for one node type. The
/// type-specific part is handed, byte for byte, to the parser that owns its format
/// (<see cref="LightingScheduleParser"/>, <see cref="GaugeConfigReader"/>) so there is one source of
/// truth per format. Any problem throws <see cref="MessageFormatException"/> with a §7.6 code and
/// every problem's path (nested ones prefixed <c>lighting.</c>, <c>water.</c>, <c>busstop.</c>).
/// Runs only when a config arrives, so it may allocate what the new config needs.
/// </summary>
public sealed class ConfigDecoder
{
    private readonly DocumentReader _r = new DocumentReader(DocumentReader.MaxMessageErrors);
    private readonly LightingScheduleParser _lighting = new LightingScheduleParser();

    public NodeConfig Decode(byte[] buffer, int offset, int count, string expectedType)
    {
        try
        {
            return Read(buffer, offset, count, expectedType);
        }
        finally
        {
            _r.Release();
        }
    }

    private NodeConfig Read(byte[] buffer, int offset, int count, string expectedType)
    {
        if (count > Wire.MaxDocumentBytes)
        {
            _r.Reset(buffer, offset, 0);
            _r.Add("document of " + count.ToString() + " bytes is larger than " + Wire.MaxDocumentBytes.ToString());
            throw _r.MessageRejected(MessageFormatException.TooLarge, -1);
        }
        _r.Reset(buffer, offset, count);
        var config = new NodeConfig();
        long v = -1;
        long version = -1;
        bool haveType = false;
        int nodeAt = -1, nodeCount = 0, partAt = -1, partCount = 0;
        string partName = PartName(expectedType);
        try
        {
            if (!_r.StartRoot()) throw _r.MessageRejected(MessageFormatException.Malformed, -1);
            while (_r.NextMember(1))
            {
                if (_r.Is("v")) v = _r.Whole("v", 0, int.MaxValue, -1);
                else if (_r.Is("version")) version = _r.Whole("version", 1, 9007199254740992L, -1);
                else if (_r.Is("type")) { config.Type = _r.Text("type", 32, ""); haveType = true; }
                else if (_r.Is("issued")) config.Issued = _r.Whole("issued", 0, long.MaxValue, 0);
                else if (_r.Is("node")) nodeAt = _r.ObjectRange("node", out nodeCount);
                else if (partName.Length > 0 && _r.Is(partName)) partAt = _r.ObjectRange(partName, out partCount);
                else _r.SkipValue();
            }
            _r.Finish();
        }
        catch (MessageFormatException)
        {
            throw;
        }
        catch (JsonFormatException e)
        {
            _r.Add(e.Message);
            throw _r.MessageRejected(MessageFormatException.Malformed, version);
        }
        if (v != Wire.Version)
        {
            _r.Error("v", v < 0 ? "is required" : v.ToString() + " is not supported (this node reads 1)");
            throw _r.MessageRejected(MessageFormatException.Malformed, version);
        }
        if (!haveType) _r.Error("type", "is required");
        else if (config.Type != expectedType)
        {
            _r.Error("type", "\"" + config.Type + "\" is not this node's type (" + expectedType + ")");
            throw _r.MessageRejected(MessageFormatException.WrongType, version);
        }
        if (version < 0 && _r.ErrorCount == 0) _r.Error("version", "is required");
        config.Version = version;

        if (nodeAt >= 0) ReadNode(buffer, nodeAt, nodeCount, config);
        if (config.Zone == null && _r.ErrorCount == 0) config.Zone = PosixTimeZone.Parse(NodeConfig.DefaultTz);
        if (expectedType == Wire.TypeStreetLight && !config.HasPosition) _r.Error("node.lat", "lat and lon are required for street lights");

        if (partAt < 0)
        {
            if (partName.Length > 0 && _r.ErrorCount == 0) _r.Error(partName, "is required");
        }
        else if (expectedType == Wire.TypeStreetLight) ReadLighting(buffer, partAt, partCount, config);
        else if (expectedType == Wire.TypeWaterLevel) ReadWater(buffer, partAt, partCount, config);
        else ReadBusStop(buffer, partAt, partCount, config);

        if (_r.ErrorCount > 0) throw _r.MessageRejected(MessageFormatException.Invalid, version);
        return config;
    }

    private static string PartName(string type)
    {
        if (type == Wire.TypeStreetLight) return "lighting";
        if (type == Wire.TypeWaterLevel) return "water";
        if (type == Wire.TypeBusStop) return "busstop";
        return "";
    }

    private void ReadNode(byte[] buffer, int at, int count, NodeConfig config)
    {
        // The outer reader already proved the syntax, so a second reader over the member is safe.
        var r = new DocumentReader(DocumentReader.MaxMessageErrors);
        r.Reset(buffer, at, count);
        bool haveLat = false, haveLon = false;
        r.StartRoot();
        while (r.NextMember(1))
        {
            if (r.Is("telemetryS")) config.TelemetryS = (int)r.Whole("node.telemetryS", 10, 86400, 300);
            else if (r.Is("stateS")) config.StateS = (int)r.Whole("node.stateS", 60, 86400, 3600);
            else if (r.Is("tz"))
            {
                config.Tz = r.Text("node.tz", 64, NodeConfig.DefaultTz);
                if (!PosixTimeZone.TryParse(config.Tz, out PosixTimeZone? zone, out string error)) r.Error("node.tz", error);
                else config.Zone = zone;
            }
            else if (r.Is("lat")) { config.Latitude = r.Number("node.lat", -90, 90, 0); haveLat = true; }
            else if (r.Is("lon")) { config.Longitude = r.Number("node.lon", -180, 180, 0); haveLon = true; }
            else if (r.Is("ntp")) config.Ntp = ReadNtp(r);
            else r.SkipValue();
        }
        if (haveLat != haveLon) r.Error(haveLat ? "node.lon" : "node.lat", "lat and lon come together");
        config.HasPosition = haveLat && haveLon;
        for (int i = 0; i < r.StoredErrors; i++) _r.Add(r.ErrorAt(i));
    }

    private static string[] ReadNtp(DocumentReader r)
    {
        if (!r.Enter(JsonToken.StartArray, "node.ntp", "an array of host names")) return new string[] { "pool.ntp.org" };
        var hosts = new ArrayList();
        while (true)
        {
            r.Json.Read();
            if (r.Json.Token == JsonToken.EndArray) break;
            string path = "node.ntp[" + hosts.Count.ToString() + "]";
            if (!r.Expect(JsonToken.String, path, "a host name")) { hosts.Add(""); continue; }
            string host = r.Json.GetString();
            if (host.Length == 0 || host.Length > 253) r.Error(path, "must be 1..253 characters");
            hosts.Add(host);
        }
        if (hosts.Count == 0 || hosts.Count > 4) r.Error("node.ntp", "must list 1..4 servers");
        var result = new string[hosts.Count];
        for (int i = 0; i < result.Length; i++) result[i] = (string)hosts[i]!;
        return result;
    }

    private void ReadLighting(byte[] buffer, int at, int count, NodeConfig config)
    {
        try
        {
            config.Lighting = _lighting.Read(buffer, at, count);
        }
        catch (ScheduleFormatException e)
        {
            _r.Nested("lighting", e.Errors);
        }
        catch (Exception e)
        {
            _r.Error("lighting", e.Message);
        }
    }

    private void ReadWater(byte[] buffer, int at, int count, NodeConfig config)
    {
        try
        {
            config.Water = GaugeConfigReader.Parse(buffer, at, count);
        }
        catch (GaugeConfigException e)
        {
            _r.Nested("water", e.Errors);
        }
        catch (Exception e)
        {
            _r.Error("water", e.Message);
        }
    }

    private void ReadBusStop(byte[] buffer, int at, int count, NodeConfig config)
    {
        var s = new BusStopSettings();
        var r = new DocumentReader(DocumentReader.MaxMessageErrors);
        r.Reset(buffer, at, count);
        bool havePanel = false;
        r.StartRoot();
        while (r.NextMember(1))
        {
            if (r.Is("panel"))
            {
                s.Panel = r.Text("busstop.panel", 16, "");
                havePanel = true;
                if (s.Panel == "epd-2in9") { s.Width = 296; s.Height = 128; }
                else if (s.Panel == "epd-7in5") { s.Width = 800; s.Height = 480; }
                else r.Error("busstop.panel", "must be epd-2in9 or epd-7in5");
            }
            else if (r.Is("rotation"))
            {
                s.Rotation = (int)r.Whole("busstop.rotation", 0, 270, 0);
                if (s.Rotation % 90 != 0) r.Error("busstop.rotation", "must be 0, 90, 180 or 270");
            }
            else if (r.Is("staleAfterS")) s.StaleAfterS = (int)r.Whole("busstop.staleAfterS", 30, 86400, 300);
            else if (r.Is("fullRefreshS")) s.FullRefreshS = (int)r.Whole("busstop.fullRefreshS", 60, 86400, 3600);
            else if (r.Is("quietHours")) ReadQuietHours(r, s);
            else r.SkipValue();
        }
        if (!havePanel) r.Error("busstop.panel", "is required");
        for (int i = 0; i < r.StoredErrors; i++) _r.Add(r.ErrorAt(i));
        config.BusStop = s;
    }

    private static void ReadQuietHours(DocumentReader r, BusStopSettings s)
    {
        if (!r.Enter(JsonToken.StartObject, "busstop.quietHours", "an object")) return;
        int depth = r.Json.Depth;
        while (r.NextMember(depth))
        {
            if (r.Is("from")) s.QuietFromMin = Minutes(r, "busstop.quietHours.from");
            else if (r.Is("to")) s.QuietToMin = Minutes(r, "busstop.quietHours.to");
            else r.SkipValue();
        }
        if ((s.QuietFromMin < 0) != (s.QuietToMin < 0)) r.Error("busstop.quietHours", "needs both from and to");
    }

    /// <summary>"HH:MM" → minutes after midnight; -1 with an error otherwise.</summary>
    private static int Minutes(DocumentReader r, string path)
    {
        string t = r.Text(path, 5, "");
        if (t.Length == 5 && t[2] == ':' && IsDigit(t[0]) && IsDigit(t[1]) && IsDigit(t[3]) && IsDigit(t[4]))
        {
            int h = (t[0] - '0') * 10 + (t[1] - '0');
            int m = (t[3] - '0') * 10 + (t[4] - '0');
            if (h < 24 && m < 60) return h * 60 + m;
        }
        r.Error(path, "must be a local time HH:MM");
        return -1;
    }

    private static bool IsDigit(char c) { return c >= '0' && c <= '9'; }
}
