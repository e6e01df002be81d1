using System;
using Microsoft.Extensions.Logging;

namespace Edge.Sim.Demo;

/// <summary>How the demo composition runs: where its data lives, its ports and the node clock speed.</summary>
public sealed class DemoOptions
{
    /// <summary>Cloud database, gateway databases, node storage, bus-stop frames and demo-state.json.</summary>
    public string DataDir { get; set; } = ".data/demo";

    /// <summary>The cloud's HTTP port (API, OpenAPI document).</summary>
    public int HttpPort { get; set; } = 5080;

    /// <summary>The gateway's /health, /metrics and /api/nodes port.</summary>
    public int GatewayHttpPort { get; set; } = 5081;

    /// <summary>The gateway's embedded MQTT broker, on loopback.</summary>
    public int MqttPort { get; set; } = 1883;

    /// <summary>Node clock speed: 1 = real time; 60 = a minute per second (dimming schedules and scripted water run faster).</summary>
    public double Speed { get; set; } = 1;

    /// <summary>Where the node clocks start (then run at <see cref="Speed"/>); null = now. Dusk shows a night at once.</summary>
    public DateTimeOffset? ClockStart { get; set; }

    /// <summary>Real time between two control-loop ticks of every node.</summary>
    public TimeSpan TickInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>The demo transit agency's HTTP port on loopback (GTFS zip and GTFS-Realtime feeds).</summary>
    public int AgencyPort { get; set; } = 5082;

    /// <summary>How often the cloud polls the agency's GTFS-Realtime feeds.</summary>
    public int RealtimeIntervalSeconds { get; set; } = 30;

    /// <summary>Console log level of the cloud, gateway and nodes.</summary>
    public LogLevel LogLevel { get; set; } = LogLevel.Warning;
}
