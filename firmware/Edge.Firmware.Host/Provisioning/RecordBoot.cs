using System;
using System.IO;
using System.Threading;
using Edge.Firmware.Host.Configuration;
using Edge.Firmware.Host.Hardware;
using Edge.Firmware.Provisioning;

namespace Edge.Firmware.Host.Provisioning;

/// <summary>
/// A host node started as a device starts: from the provisioning record "node" in its own storage
/// (<see cref="ProvisioningRecord"/>, the ESP32's parser), serving serial provisioning first when it has no usable
/// record or when asked to (the device's boot button held).
/// </summary>
public static class RecordBoot
{
    /// <summary>The node settings the record gives; the type and the virtual hardware are the host's (the app flashed).</summary>
    public static NodeSettings Settings(ProvisioningRecord record, string type, string dataDir)
    {
        var settings = new NodeSettings
        {
            NodeId = record.NodeId,
            Site = record.Site,
            Type = type,
            Secret = record.Secret,
            Broker = new BrokerSettings { Host = record.BrokerHost, Port = record.BrokerPort, Tls = record.Tls },
            DataDir = Path.GetFullPath(dataDir),
            Hardware = "host-" + type,
            Latitude = record.HasPosition ? record.Latitude : null,
            Longitude = record.HasPosition ? record.Longitude : null,
        };
        switch (type)
        {
            case "streetlight": settings.Lamp = new LampSettings(); break;
            case "waterlevel": settings.Water = new WaterSettings(); break;
            case "busstop": settings.Display = new DisplaySettingsHost { FramesDir = Path.Combine(settings.DataDir, "frames") }; break;
            default: throw new ArgumentException("type: '" + type + "' is not streetlight, waterlevel or busstop");
        }
        return settings;
    }

    /// <summary>
    /// Reads the record from <paramref name="dataDir"/>; when there is none (or it does not parse), or
    /// <paramref name="holdBoot"/> is set, serves provisioning on <paramref name="pty"/> first. Null when stopped
    /// before a record was committed, or when there is no record and no pseudo-terminal to get one.
    /// </summary>
    public static ProvisioningRecord? Boot(string dataDir, string type, string firmware, PseudoTerminal? pty, bool holdBoot, Action<string> log, CancellationToken stop)
    {
        var storage = new FileStorage(dataDir);
        while (true)
        {
            string? problem = null;
            ProvisioningRecord? record = null;
            try
            {
                record = ProvisioningRecord.Load(storage);
            }
            catch (FormatException e)
            {
                problem = e.Message;
            }
            string? reason = ProvisioningEntry.Reason(problem, holdBoot);
            if (reason == null) return record;
            if (pty == null)
            {
                log(problem ?? "no record");
                return null;
            }
            log(reason + "; serial provisioning (" + SerialProvisioningSession.Version + ") on " + pty.PeerPath);
            if (!new PtyProvisioning(pty).ServeUntilReboot(storage, "host-" + type, firmware, type, stop)) return null;
            log("rebooting after serial provisioning");
            holdBoot = false;
        }
    }
}
