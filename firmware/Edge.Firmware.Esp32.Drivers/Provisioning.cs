using System;
using Edge.Firmware.Protocol;
using Edge.Firmware.Runtime;

namespace Edge.Firmware.Esp32.Drivers;

/// <summary>
/// What the installer gives a node when provisioning it (the `edge` tool writes it to the device's flash
/// drive as the record "node", I:\node.bin): one <c>key=value</c> per line, UTF-8. Read once at boot.
/// Keys: ssid, wifiPassword, brokerHost, brokerPort, tls (true/false), site, nodeId, secret, latitude,
/// longitude, timeZone (POSIX TZ rule), sntp1, sntp2. Missing or invalid keys are reported by name.
/// </summary>
public sealed class Provisioning
{
    public const string StorageKey = "node";

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

    /// <summary>Loads the record; throws FormatException naming the key when it is missing or invalid.</summary>
    public static Provisioning Load(IStorage storage)
    {
        var buffer = new byte[1024];
        int length = storage.Read(StorageKey, buffer);
        if (length < 0) throw new FormatException("node: not provisioned (no record '" + StorageKey + "'); run 'edge provision'");
        if (length > buffer.Length) throw new FormatException("node: record is " + length.ToString() + " bytes, more than 1024");
        return Parse(Utf8.GetString(buffer, 0, length));
    }

    public static Provisioning Parse(string text)
    {
        var p = new Provisioning();
        bool hasLatitude = false, hasLongitude = false;
        string[] lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i].Trim();
            if (line.Length == 0 || line[0] == '#') continue;
            int eq = line.IndexOf('=');
            if (eq <= 0) throw new FormatException("node: line " + (i + 1).ToString() + " is not key=value");
            string key = line.Substring(0, eq).Trim();
            string value = line.Substring(eq + 1).Trim();
            try
            {
                switch (key)
                {
                    case "ssid": p.Ssid = value; break;
                    case "wifiPassword": p.WifiPassword = value; break;
                    case "brokerHost": p.BrokerHost = value; break;
                    case "brokerPort": p.BrokerPort = int.Parse(value); break;
                    case "tls": p.Tls = value == "true"; break;
                    case "site": p.Site = value; break;
                    case "nodeId": p.NodeId = value; break;
                    case "secret": p.Secret = value; break;
                    case "latitude": p.Latitude = double.Parse(value); hasLatitude = true; break;
                    case "longitude": p.Longitude = double.Parse(value); hasLongitude = true; break;
                    case "timeZone": p.TimeZone = value; break;
                    case "sntp1": p.Sntp1 = value; break;
                    case "sntp2": p.Sntp2 = value; break;
                    default: break; // keys of newer tool versions are ignored
                }
            }
            catch (Exception)
            {
                throw new FormatException("node: " + key + ": '" + value + "' is not a valid value");
            }
        }
        p.HasPosition = hasLatitude && hasLongitude;
        Require(p.Ssid, "ssid");
        Require(p.BrokerHost, "brokerHost");
        Require(p.Site, "site");
        Require(p.NodeId, "nodeId");
        Require(p.Secret, "secret");
        return p;
    }

    private static void Require(string value, string key)
    {
        if (value.Length == 0) throw new FormatException("node: " + key + " is missing");
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
