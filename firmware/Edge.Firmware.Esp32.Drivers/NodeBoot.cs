using System.Threading;
using nanoFramework.Runtime.Native;

namespace Edge.Firmware.Esp32.Drivers;

/// <summary>The start-up steps every ESP32 node app shares: join Wi-Fi, start SNTP.</summary>
public static class NodeBoot
{
    /// <summary>
    /// Joins Wi-Fi, retrying with a growing pause (5 s, 10 s, … 60 s) and a helper reset before each retry;
    /// returns false after <paramref name="maxAttempts"/> so a battery node can go back to sleep and a mains
    /// node can run its schedule offline (it keeps trying from its loop).
    /// </summary>
    public static bool JoinNetwork(WifiJoin wifi, Provisioning node, int maxAttempts)
    {
        int pause = 5000;
        for (int attempt = 0; attempt < maxAttempts; attempt++)
        {
            if (wifi.TryConnect(30000))
            {
                SntpTime.Start(node.Sntp1, node.Sntp2);
                return true;
            }
            Thread.Sleep(pause);
            pause = pause * 2 > 60000 ? 60000 : pause * 2;
        }
        return false;
    }

    /// <summary>A node that cannot read its own provisioning has nothing to run: reboot after a pause that
    /// leaves time to attach the debugger or reflash.</summary>
    public static void FailAndReboot(string why)
    {
        System.Diagnostics.Debug.WriteLine("edge: " + why);
        Thread.Sleep(60000);
        Power.RebootDevice();
    }
}
