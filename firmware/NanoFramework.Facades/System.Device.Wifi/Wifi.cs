// Facade: joining Wi-Fi. The apps call WifiNetworkHelper.ConnectDhcp and, after repeated failures,
// WifiNetworkHelper.Reset() before the next attempt (protocol.md §4.5).
using System;
using System.Threading;
using System.Device.Wifi;

namespace System.Device.Wifi
{
    public enum WifiReconnectionKind
    {
        Automatic,
        Manual
    }
}

namespace nanoFramework.Networking
{
    public static class WifiNetworkHelper
    {
        public static NetworkHelperStatus Status { get { throw null; } }
        public static Exception HelperException { get { throw null; } }
        public static bool ConnectDhcp(
            string ssid,
            string password,
            WifiReconnectionKind reconnectionKind = WifiReconnectionKind.Automatic,
            bool requiresDateTime = false,
            int wifiAdapterId = 0,
            CancellationToken token = default) { throw null; }
        public static bool Reconnect(bool requiresDateTime = false, int wifiAdapterId = 0, CancellationToken token = default) { throw null; }
        public static void Disconnect() { throw null; }
        public static void Reset() { throw null; }
    }
}
