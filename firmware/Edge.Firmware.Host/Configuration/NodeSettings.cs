using System.Collections.Generic;
using Edge.Firmware.Host.Hardware;

namespace Edge.Firmware.Host.Configuration;

/// <summary>One host node as node.json describes it (docs/host-node.md), validated and with defaults filled in.</summary>
public sealed class NodeSettings
{
    public string NodeId { get; set; } = "";
    public string Site { get; set; } = "";
    /// <summary><c>streetlight</c>, <c>waterlevel</c> or <c>busstop</c> (protocol §6.1).</summary>
    public string Type { get; set; } = "";
    /// <summary>The node's MQTT password (protocol §2.2).</summary>
    public string Secret { get; set; } = "";
    public BrokerSettings Broker { get; set; } = new();
    /// <summary>Absolute directory of the node's storage (its "flash").</summary>
    public string DataDir { get; set; } = "";
    public string Firmware { get; set; } = "1.0.0-host";
    public string Hardware { get; set; } = "";
    /// <summary>Provisioned position (street lights need it for sun times before a config arrives, protocol §9.6).</summary>
    public double? Latitude { get; set; }
    public double? Longitude { get; set; }
    public ClockSettings Clock { get; set; } = new();
    /// <summary>Seed for the virtual hardware's noise, so a run can be repeated.</summary>
    public int Seed { get; set; }
    public LampSettings? Lamp { get; set; }
    public WaterSettings? Water { get; set; }
    public DisplaySettingsHost? Display { get; set; }
}

public sealed class BrokerSettings
{
    public string Host { get; set; } = "127.0.0.1";
    public int Port { get; set; } = 1883;
    public bool Tls { get; set; }
    /// <summary>CA certificate (PEM) that signs the broker's certificate, when TLS is used.</summary>
    public string? CaFile { get; set; }
}

public sealed class ClockSettings
{
    /// <summary>1 = real time; 60 = a minute per second (demos).</summary>
    public double Speed { get; set; } = 1;
    /// <summary>Unix seconds the clock starts at; null = now.</summary>
    public long? Start { get; set; }
    /// <summary>Whether the node's RTC counts as set at start (false: it waits for the gateway's time, protocol §12.5).</summary>
    public bool Set { get; set; } = true;
}

public sealed class LampSettings
{
    public float RatedWatts { get; set; } = 40;
    public float SupplyVolts { get; set; } = 230;
    public float Noise { get; set; } = 0.02f;
    public LampMode Mode { get; set; } = LampMode.Normal;
    public int CycleSeconds { get; set; } = 30;
}

public sealed class WaterSettings
{
    public int MountMm { get; set; } = 3200;
    /// <summary>The name of the curve when a named scenario was chosen; null for a scripted curve.</summary>
    public string? Scenario { get; set; }
    public IReadOnlyList<LevelPoint> Curve { get; set; } = WaterSurface.Scenario("calm")!;
    public int NoiseMm { get; set; } = 4;
    public double SpikeRate { get; set; } = 0.02;
    public double NoEchoRate { get; set; } = 0.01;
}

/// <summary>The virtual e-paper panel of a bus stop.</summary>
public sealed class DisplaySettingsHost
{
    /// <summary><c>epd-2in9</c> (296×128) or <c>epd-7in5</c> (800×480), as in the config (protocol §9.7).</summary>
    public string Panel { get; set; } = "epd-7in5";
    public int Width { get; set; } = 800;
    public int Height { get; set; } = 480;
    /// <summary>Absolute directory the PNG frames are written to.</summary>
    public string FramesDir { get; set; } = "";
    public int KeepFrames { get; set; }
}
