using System;
using Edge.Firmware.Protocol;
using Edge.Firmware.Runtime;
using Edge.Firmware.Time;

namespace Edge.Firmware.Provisioning;

/// <summary>
/// What the installer gives a node when provisioning it (docs/provisioning.md): the record "node" on the device's
/// flash drive (I:\node.bin), one <c>key=value</c> per line, UTF-8, at most <see cref="MaxBytes"/>. Read once at
/// boot. Keys: ssid, wifiPassword, brokerHost, brokerPort, tls (true/false), site, nodeId, secret, latitude,
/// longitude, timeZone (POSIX TZ rule), sntp1, sntp2. Missing or invalid keys are reported by name.
/// The one parser of the record: the ESP32 boot, the host node, the serial provisioning session (key by key, as
/// each line arrives) and `edge node provision` (before anything is written) all run this code.
/// </summary>
public sealed class ProvisioningRecord
{
    public const string StorageKey = "node";

    /// <summary>The largest record a node reads (its boot buffer).</summary>
    public const int MaxBytes = 1024;

    public string Ssid = "";
    public string WifiPassword = "";
    public string BrokerHost = "";
    public int BrokerPort = 1883;
    public bool Tls;
    public string Site = "";
    public string NodeId = "";
    public string Secret = "";
    public double Latitude;
    public double Longitude;
    /// <summary>Whether latitude and longitude were given (the street light's dusk-to-dawn default needs them).</summary>
    public bool HasPosition;
    public string TimeZone = "UTC0";
    public string Sntp1 = "pool.ntp.org";
    public string Sntp2 = "time.google.com";

    private bool _hasLatitude;
    private bool _hasLongitude;

    /// <summary>Keys whose values are never echoed, logged or shown again.</summary>
    public static bool IsSecretKey(string key) => key == "secret" || key == "wifiPassword";

    /// <summary>Loads the record; throws FormatException naming the key when it is missing or invalid.</summary>
    public static ProvisioningRecord Load(IStorage storage)
    {
        var buffer = new byte[MaxBytes];
        int length = storage.Read(StorageKey, buffer);
        if (length < 0) throw new FormatException("node: not provisioned (no record '" + StorageKey + "'); run 'edge node provision'");
        if (length > buffer.Length) throw new FormatException("node: record is " + length.ToString() + " bytes, more than " + MaxBytes.ToString());
        return Parse(Utf8.GetString(buffer, 0, length));
    }

    /// <summary>Parses a whole record: every line, then the required keys.</summary>
    public static ProvisioningRecord Parse(string text)
    {
        var p = new ProvisioningRecord();
        string[] lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].Trim();
            if (line.Length == 0 || line[0] == '#') continue;
            int eq = line.IndexOf('=');
            if (eq <= 0) throw new FormatException("node: line " + (i + 1).ToString() + " is not key=value");
            string? error = p.Set(line.Substring(0, eq).Trim(), line.Substring(eq + 1).Trim());
            if (error != null) throw new FormatException("node: " + error);
        }
        string? missing = p.Missing();
        if (missing != null) throw new FormatException("node: " + missing + " is missing");
        return p;
    }

    /// <summary>
    /// Sets one key; null when accepted, else "key: why" (the value of a secret key is never part of it).
    /// Unknown keys are accepted and ignored, so an older node takes a newer tool's record.
    /// </summary>
    public string? Set(string key, string value)
    {
        switch (key)
        {
            case "ssid":
                // IEEE 802.11: an SSID is 1..32 octets.
                int ssidBytes = Utf8.GetByteCount(value);
                if (ssidBytes < 1 || ssidBytes > 32) return "ssid: must be 1..32 bytes, not " + ssidBytes.ToString();
                Ssid = value;
                return null;
            case "wifiPassword":
                // WPA2-Personal passphrase (IEEE 802.11i): 8..63 printable ASCII characters; empty = open network.
                if (value.Length != 0 && (value.Length < 8 || value.Length > 63 || !IsPrintableAscii(value)))
                    return "wifiPassword: must be empty (open network) or 8..63 printable ASCII characters (WPA2)";
                WifiPassword = value;
                return null;
            case "brokerHost":
                if (value.Length == 0 || value.Length > 253 || value.IndexOf(' ') >= 0) return "brokerHost: '" + value + "' is not a host name or address";
                BrokerHost = value;
                return null;
            case "brokerPort":
                int port;
                if (!TryInt(value, out port) || port < 1 || port > 65535) return "brokerPort: '" + value + "' is not a port 1..65535";
                BrokerPort = port;
                return null;
            case "tls":
                if (value == "true") Tls = true;
                else if (value == "false") Tls = false;
                else return "tls: '" + value + "' is not true or false";
                return null;
            case "site":
                if (!IsId(value)) return "site: '" + value + "' is not 1-32 lower-case letters, digits or '-' (protocol §2.1)";
                Site = value;
                return null;
            case "nodeId":
                if (!IsId(value)) return "nodeId: '" + value + "' is not 1-32 lower-case letters, digits or '-' (protocol §2.1)";
                NodeId = value;
                return null;
            case "secret":
                if (value.Length < 16 || value.Length > 128 || !IsPrintableAscii(value)) return "secret: must be 16..128 printable ASCII characters";
                Secret = value;
                return null;
            case "latitude":
                double lat;
                if (!TryDouble(value, out lat) || lat < -90 || lat > 90) return "latitude: '" + value + "' is not a number of degrees -90..90";
                Latitude = lat;
                _hasLatitude = true;
                HasPosition = _hasLatitude && _hasLongitude;
                return null;
            case "longitude":
                double lon;
                if (!TryDouble(value, out lon) || lon < -180 || lon > 180) return "longitude: '" + value + "' is not a number of degrees -180..180";
                Longitude = lon;
                _hasLongitude = true;
                HasPosition = _hasLatitude && _hasLongitude;
                return null;
            case "timeZone":
                PosixTimeZone? zone;
                string why;
                if (!PosixTimeZone.TryParse(value, out zone, out why)) return "timeZone: '" + value + "': " + why;
                TimeZone = value;
                return null;
            case "sntp1":
                if (value.Length == 0 || value.IndexOf(' ') >= 0) return "sntp1: '" + value + "' is not a host name";
                Sntp1 = value;
                return null;
            case "sntp2":
                if (value.Length == 0 || value.IndexOf(' ') >= 0) return "sntp2: '" + value + "' is not a host name";
                Sntp2 = value;
                return null;
            default:
                return null; // keys of newer tool versions are ignored
        }
    }

    /// <summary>The first required key not yet set, or null when the record is complete.</summary>
    public string? Missing()
    {
        if (Ssid.Length == 0) return "ssid";
        if (BrokerHost.Length == 0) return "brokerHost";
        if (Site.Length == 0) return "site";
        if (NodeId.Length == 0) return "nodeId";
        if (Secret.Length == 0) return "secret";
        return null;
    }

    /// <summary>protocol §2.1 ids: <c>^[a-z0-9][a-z0-9-]{0,31}$</c>.</summary>
    public static bool IsId(string s)
    {
        if (s.Length < 1 || s.Length > 32) return false;
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c == '-' && i > 0);
            if (!ok) return false;
        }
        return true;
    }

    private static bool IsPrintableAscii(string s)
    {
        for (int i = 0; i < s.Length; i++)
        {
            if (s[i] < 0x20 || s[i] > 0x7E) return false;
        }
        return true;
    }

    private static bool TryInt(string s, out int value)
    {
        value = 0;
        if (s.Length == 0 || s.Length > 9) return false;
        for (int i = 0; i < s.Length; i++)
        {
            if (s[i] < '0' || s[i] > '9') return false;
            value = value * 10 + (s[i] - '0');
        }
        return true;
    }

    // A plain decimal ("39.5035", "-0.5"): no exponent, no thousands separator; checked here, then parsed by the
    // platform (correctly rounded), with the invariant culture where .NET has cultures.
    private static bool TryDouble(string s, out double value)
    {
        value = 0;
        if (s.Length == 0 || s.Length > 24) return false;
        int i = s[0] == '-' || s[0] == '+' ? 1 : 0;
        bool digits = false, point = false;
        for (; i < s.Length; i++)
        {
            char c = s[i];
            if (c == '.' && !point) point = true;
            else if (c >= '0' && c <= '9') digits = true;
            else return false;
        }
        if (!digits) return false;
#if NANOFRAMEWORK
        value = double.Parse(s);
#else
        value = double.Parse(s, System.Globalization.CultureInfo.InvariantCulture);
#endif
        return true;
    }

    /// <summary>The runtime's options for this node (protocol §2.3); the runtime builds the MQTT session from them.</summary>
    public NodeOptions NodeOptions(string board, string firmware)
    {
        var o = new NodeOptions();
        o.Site = Site;
        o.NodeId = NodeId;
        o.Secret = Secret;
        o.BrokerHost = BrokerHost;
        o.BrokerPort = BrokerPort;
        o.UseTls = Tls;
        o.Firmware = firmware;
        o.Hardware = board;
        o.Latitude = HasPosition ? Latitude : double.NaN;
        o.Longitude = HasPosition ? Longitude : double.NaN;
        // A different jitter per node (protocol §4.4): a hash of the node id.
        uint seed = 2166136261;
        for (int i = 0; i < NodeId.Length; i++) seed = (seed ^ NodeId[i]) * 16777619;
        o.JitterSeed = seed;
        return o;
    }

    /// <summary>The MQTT session options for this node (docs/protocol.md §2.2, §4.3: client id = user name = node id; will = the retained offline state).</summary>
    public LinkOptions LinkOptions()
    {
        var o = new LinkOptions();
        o.Host = BrokerHost;
        o.Port = BrokerPort;
        o.UseTls = Tls;
        o.ClientId = NodeId;
        o.Username = NodeId;
        o.Password = Secret;
        o.WillTopic = "edge/" + Site + "/" + NodeId + "/state";
        o.WillPayload = Utf8.GetBytes("{\"v\":1,\"status\":\"offline\",\"reason\":\"lost\"}");
        o.WillRetain = true;
        return o;
    }
}
