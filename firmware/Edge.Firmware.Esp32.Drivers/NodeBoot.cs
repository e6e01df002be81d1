using System;
using System.Device.Gpio;
using Edge.Firmware.Provisioning;
using Edge.Firmware.Runtime;
using nanoFramework.Runtime.Native;

namespace Edge.Firmware.Esp32.Drivers;

/// <summary>
/// The start-up every ESP32 node app shares: read the provisioning record, then build the node options (sized for
/// a plain ESP32's heap, hardware/heap.md), the Wi-Fi platform and the MQTT link from it. Nothing here touches the
/// network: Wi-Fi is joined and the broker's name resolved later, by the runtime's connection attempts, so a
/// gateway that is down or given by a name that does not resolve never stops the node's start (the street light
/// has its lamp on before this runs). Only the hardware differs between apps.
/// </summary>
public sealed class NodeBoot
{
    public readonly ProvisioningRecord Node;
    public readonly NodeOptions Options;
    public readonly Esp32Platform Platform;
    public readonly M2MqttLink Link;

    private NodeBoot(ProvisioningRecord node, string board, string firmware, int maxInbound, int inboundSlots)
    {
        Node = node;
        Options = node.NodeOptions(board, firmware);
        Options.InboundBytes = maxInbound;
        Options.LinkHandsOverPayloads = true; // M2MqttLink hands M2Mqtt's own arrays over
        NodeOptions.UseSmallHeap(Options);
        Platform = new Esp32Platform(new WifiJoin(node.Ssid, node.WifiPassword));
        Link = new M2MqttLink(node.BrokerHost, node.BrokerPort, node.Tls, maxInbound, inboundSlots);
    }

    /// <summary>
    /// Reads the provisioning record and builds the connection parts; <paramref name="maxInbound"/> is the
    /// largest inbound message kept and <paramref name="inboundSlots"/> how many may wait (see M2MqttLink).
    /// A node that cannot read its own provisioning, or whose installer holds the boot button at start-up
    /// (<see cref="ProvisioningEntry"/>), serves serial provisioning sessions on <paramref name="wiring"/>'s UART
    /// (docs/provisioning.md) until one commits a record and asks for a reboot, then reboots: this never returns.
    /// </summary>
    public static NodeBoot Start(IStorage storage, GpioController gpio, ProvisioningWiring wiring, string board, string firmware, string type, int maxInbound, int inboundSlots)
    {
        ProvisioningRecord? node = null;
        string? problem = null;
        try
        {
            node = ProvisioningRecord.Load(storage);
        }
        catch (FormatException e)
        {
            problem = e.Message;
        }
        string? reason = ProvisioningEntry.Reason(problem, wiring.ButtonHeld(gpio));
        if (reason != null)
        {
            System.Diagnostics.Debug.WriteLine("edge: " + reason + "; serial provisioning on " + wiring.Port + " (RX GPIO" + wiring.RxGpio.ToString() + ", TX GPIO" + wiring.TxGpio.ToString() + ")");
            SerialProvisioningPort.Run(wiring, storage, board, firmware, type);
            Power.RebootDevice();
            throw new InvalidOperationException("reboot after serial provisioning");
        }
        return new NodeBoot(node!, board, firmware, maxInbound, inboundSlots);
    }
}
