using System.Device.Wifi;
using System.Threading;
using nanoFramework.Networking;

namespace Edge.Firmware.Esp32.Drivers;

/// <summary>
/// Joins the site's Wi-Fi with DHCP through nanoFramework's WifiNetworkHelper. Each attempt is bounded by a
/// timeout (without a token the helper waits for an address forever). Before any retry the helper is
/// <see cref="WifiNetworkHelper.Reset"/>: it keeps static state (events, the last exception) from the
/// failed attempt, and a second ConnectDhcp without a reset can return at once with the old failure.
/// </summary>
public sealed class WifiJoin
{
    private readonly string _ssid;
    private readonly string _password;
    private int _attempts;

    public WifiJoin(string ssid, string password)
    {
        _ssid = ssid;
        _password = password;
    }

    /// <summary>Attempts so far (reported in the node's state after a reconnect).</summary>
    public int Attempts { get { return _attempts; } }

    /// <summary>Why the last attempt failed, for the log.</summary>
    public NetworkHelperStatus LastStatus { get; private set; }

    /// <summary>One attempt; true once the station has an IP address.</summary>
    public bool TryConnect(int timeoutMs)
    {
        if (_attempts > 0) WifiNetworkHelper.Reset();
        _attempts++;
        using (var timeout = new CancellationTokenSource(timeoutMs))
        {
            // Automatic reconnection: the ESP-IDF station rejoins by itself after an access-point restart;
            // the app only calls here again when the link has been down for long (the runtime's backoff).
            bool ok = WifiNetworkHelper.ConnectDhcp(_ssid, _password, WifiReconnectionKind.Automatic, false, 0, timeout.Token);
            LastStatus = WifiNetworkHelper.Status;
            return ok;
        }
    }
}
