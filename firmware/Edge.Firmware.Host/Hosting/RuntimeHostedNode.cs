using System;
using System.Threading;
using System.Threading.Tasks;
using Edge.Firmware.Host.Configuration;
using Edge.Firmware.Host.Hardware;
using Edge.Firmware.Host.Link;
using Edge.Firmware.Lighting;
using Edge.Firmware.Runtime;
using Edge.Firmware.Transit;
using Microsoft.Extensions.Logging;

namespace Edge.Firmware.Host.Hosting;

/// <summary>
/// One node of node.json running the real firmware runtime (StreetLightNode, WaterLevelNode or
/// BusStopNode) on virtual hardware. The hardware, storage and clock live as long as the host; a reboot
/// makes a new node object and a new MQTT connection on them, as a device restarts on the same flash.
/// </summary>
public sealed class RuntimeHostedNode : IHostedNode
{
    private readonly NodeSettings _settings;
    private readonly ILogger _logger;
    private readonly ILogger _linkLogger;
    private long _restartAtMs = -1;
    private readonly ISntpClient? _timeServer;
    private Action _tick = () => { };

    public RuntimeHostedNode(NodeSettings settings, ILoggerFactory loggers)
    {
        _settings = settings;
        _logger = loggers.CreateLogger("Edge.Node." + settings.NodeId);
        _linkLogger = loggers.CreateLogger("Edge.Node." + settings.NodeId + ".Mqtt");
        Clock = new HostClock(settings.Clock.Speed, settings.Clock.Start, settings.Clock.Set);
        // A simulated clock (accelerated, or started at another instant) keeps its own time; a clock at real speed from
        // now takes the gateway's (protocol §12).
        _timeServer = settings.Clock.Speed != 1 || settings.Clock.Start.HasValue ? new SimulationTimeServer(Clock) : null;
        Storage = new FileStorage(settings.DataDir);
        Platform = new HostPlatform(_logger, settings.NodeId, afterMs => _restartAtMs = Clock.MonotonicMs + afterMs);
        int seed = settings.Seed != 0 ? settings.Seed : StableHash(settings.NodeId);
        if (settings.Lamp is { } lamp)
            Lamp = new VirtualLamp(() => Clock.UtcSeconds, lamp.RatedWatts, lamp.SupplyVolts, lamp.Noise, seed) { Mode = lamp.Mode, CycleSeconds = lamp.CycleSeconds };
        if (settings.Water is { } water)
            Water = new WaterSurface(() => Clock.UtcSeconds, water.MountMm, water.Curve, water.NoiseMm, water.SpikeRate, water.NoEchoRate, seed);
        if (settings.Display is { } display)
            Panel = new PngDisplayPanel(display.FramesDir, display.Width, display.Height, display.KeepFrames);
        Boot();
    }

    public string NodeId => _settings.NodeId;
    public HostClock Clock { get; }
    public FileStorage Storage { get; }
    public HostPlatform Platform { get; }
    public VirtualLamp? Lamp { get; }
    public WaterSurface? Water { get; }
    public PngDisplayPanel? Panel { get; }

    /// <summary>The current boot's MQTT link (a new one after every reboot).</summary>
    public MqttNetLink Link { get; private set; } = null!;

    /// <summary>The current boot's runtime.</summary>
    public NodeRuntime Runtime { get; private set; } = null!;

    /// <summary>The current boot's node object: a StreetLightNode, WaterLevelNode or BusStopNode.</summary>
    public INodeApp App { get; private set; } = null!;

    public int Boots { get; private set; }

    public void Tick()
    {
        if (_restartAtMs >= 0)
        {
            if (Clock.MonotonicMs < _restartAtMs) return;
            _restartAtMs = -1;
            Link.Dispose();
            Boot();
        }
        Lamp?.BeginTick(Clock.UtcSeconds);
        _tick();
    }

    /// <summary>
    /// Host shutdown is a planned stop, not a power cut: the node publishes its retained <c>offline</c>
    /// state with <c>reason: shutdown</c> and disconnects cleanly (protocol §4.3), so the gateway and the
    /// cloud see a planned stop instead of an outage.
    /// </summary>
    public void BeginStop() => Runtime.BeginShutdown();

    public bool Stopped => Runtime.Halted;

    public Task CompleteStopAsync()
    {
        if (!Runtime.Halted) Link.Abort();
        return Link.WhenIdleAsync();
    }

    /// <summary>Stops this node on its own (tests): planned stop, ticking it for at most <paramref name="timeout"/>.</summary>
    public void Stop(TimeSpan? timeout = null)
    {
        BeginStop();
        var until = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (!Stopped && DateTime.UtcNow < until)
        {
            Tick();
            Thread.Sleep(10);
        }
        CompleteStopAsync().Wait(TimeSpan.FromSeconds(10));
    }

    private void Boot()
    {
        Boots++;
        Link = new MqttNetLink(_linkLogger, _settings.Broker.CaFile);
        var options = new NodeOptions
        {
            Site = _settings.Site,
            NodeId = _settings.NodeId,
            Secret = _settings.Secret,
            BrokerHost = _settings.Broker.Host,
            BrokerPort = _settings.Broker.Port,
            UseTls = _settings.Broker.Tls,
            Firmware = _settings.Firmware,
            Hardware = _settings.Hardware,
            Latitude = _settings.Latitude ?? double.NaN,
            Longitude = _settings.Longitude ?? double.NaN,
            JitterSeed = (uint)StableHash(_settings.NodeId + "/" + Boots),
        };
        // The watchdog, the CONNACK wait and the outage reboot watch the host and the network, which do not speed up with
        // the node's (accelerated) monotonic clock: keep them in real time, or a 2 s pause of the host at 60x would
        // "reboot" the node and a CONNACK later than 6 ms at 2400x would fail every connection.
        if (Clock.Speed > 1)
        {
            options.WatchdogSeconds = (int)Math.Min(int.MaxValue, Math.Ceiling(options.WatchdogSeconds * Clock.Speed));
            options.ConnectWaitMs = (long)Math.Ceiling(options.ConnectWaitMs * Clock.Speed);
            options.OutageRebootMs = (long)Math.Min(long.MaxValue / 4, Math.Ceiling(options.OutageRebootMs * Clock.Speed));
        }
        switch (_settings.Type)
        {
            case "streetlight":
                // The lamp monitor judges power against the fitted lamp's rating (docs/lamp-monitoring.md).
                var monitor = new LampMonitorSettings { RatedWatts = Lamp!.RatedWatts };
                var light = new StreetLightNode(options, Link, Storage, Clock, Platform, _timeServer, Lamp, Lamp, monitor);
                App = light;
                Runtime = light.Runtime;
                _tick = light.Tick;
                break;
            case "waterlevel":
                var gauge = new WaterLevelNode(options, Link, Storage, Clock, Platform, _timeServer, Water!, null, null);
                App = gauge;
                Runtime = gauge.Runtime;
                _tick = gauge.Tick;
                break;
            case "busstop":
                var stop = new BusStopNode(options, Link, Storage, Clock, Platform, _timeServer, Panel!, new DisplaySettings(Panel!.Width, Panel.Height));
                App = stop;
                Runtime = stop.Runtime;
                _tick = stop.Tick;
                break;
            default:
                throw new InvalidOperationException("unknown node type '" + _settings.Type + "'");
        }
        _logger.LogInformation("{NodeId}: {Type} started (boot {Boot} of this host run), data in {DataDir}", NodeId, _settings.Type, Boots, _settings.DataDir);
    }

    /// <summary>FNV-1a: the same seed for the same node id in every run (string.GetHashCode is randomised per process).</summary>
    private static int StableHash(string text)
    {
        uint hash = 2166136261;
        foreach (char c in text) hash = (hash ^ c) * 16777619;
        return (int)(hash & 0x7FFFFFFF) | 1;
    }
}
