using System.Threading;
using Edge.Firmware.Runtime;

namespace Edge.Firmware.Esp32.Drivers;

/// <summary>A node's tick, as the shared loop calls it.</summary>
public delegate void NodeTick();

/// <summary>
/// The one control loop every ESP32 node app ends in: tick the node, show the session on the status LED, sleep.
/// The software watchdog (protocol §15 W1) is checked from a System.Threading.Timer, so a stuck loop is seen
/// from outside it and the node reboots with <c>node.watchdog</c> recorded.
/// </summary>
public static class NodeLoop
{
    public const int WatchdogCheckMs = 10000;

    /// <param name="statusLed">Lit while there is no MQTT session (an installer sees a node that is not reporting); may be null.</param>
    public static void Run(NodeRuntime runtime, NodeTick tick, IRelay? statusLed, int tickMs)
    {
        var watchdog = new Timer(CheckWatchdog, runtime, WatchdogCheckMs, WatchdogCheckMs);
        bool ledOn = false;
        while (!runtime.Halted)
        {
            tick();
            bool offline = !runtime.Connection.IsOnline;
            if (statusLed != null && offline != ledOn)
            {
                statusLed.Set(offline);
                ledOn = offline;
            }
            Thread.Sleep(tickMs);
        }
        // Halted: the platform was asked to reboot or sleep and on a device never returns; keep the timer alive.
        watchdog.Dispose();
    }

    private static void CheckWatchdog(object state)
    {
        ((NodeRuntime)state).CheckWatchdog();
    }
}
