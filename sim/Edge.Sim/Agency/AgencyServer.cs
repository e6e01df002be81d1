using System;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;
using NodaTime;

namespace Edge.Sim.Agency;

/// <summary>
/// The demo agency's web server on 127.0.0.1: the GTFS zip at <c>/gtfs.zip</c> (with ETag and Last-Modified, so
/// the cloud's daily fetch gets 304s) and GTFS-Realtime at <c>/gtfs-rt/trip-updates</c>,
/// <c>/gtfs-rt/vehicle-positions</c> and <c>/gtfs-rt/alerts</c> (protobuf, built fresh on every request).
/// </summary>
public sealed class AgencyServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private AgencyServer(WebApplication app, int port, DemoNetwork network)
    {
        _app = app;
        Network = network;
        BaseUrl = "http://127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture) + "/";
    }

    public string BaseUrl { get; }

    /// <summary>The timetable the agency publishes.</summary>
    public DemoNetwork Network { get; }
    public string FeedUrl => BaseUrl + "gtfs.zip";
    public string TripUpdatesUrl => BaseUrl + "gtfs-rt/trip-updates";
    public string VehiclePositionsUrl => BaseUrl + "gtfs-rt/vehicle-positions";
    public string AlertsUrl => BaseUrl + "gtfs-rt/alerts";

    public static async Task<AgencyServer> StartAsync(int port, ILoggerFactory loggers, CancellationToken ct)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var clock = SystemClock.Instance;
        var network = new DemoNetwork(clock.GetCurrentInstant().InZone(DemoNetwork.Zone).Date);
        var zip = network.Zip();
        var etag = new EntityTagHeaderValue("\"" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(zip))[..16] + "\"");
        var published = DateTimeOffset.UtcNow;
        app.MapGet("/gtfs.zip", () => Results.File(zip, "application/zip", lastModified: published, entityTag: etag));
        app.MapGet("/gtfs-rt/trip-updates", () => Protobuf(DemoRealtime.TripUpdates(network, clock.GetCurrentInstant())));
        app.MapGet("/gtfs-rt/vehicle-positions", () => Protobuf(DemoRealtime.VehiclePositions(network, clock.GetCurrentInstant())));
        app.MapGet("/gtfs-rt/alerts", () => Protobuf(DemoRealtime.Alerts(clock.GetCurrentInstant())));
        await app.StartAsync(ct);
        loggers.CreateLogger("Edge.Sim.Agency").LogInformation("Demo agency: {Trips} trips a day at {Url}", network.Trips.Count, port);
        return new AgencyServer(app, port, network);
    }

    private static IResult Protobuf(IMessage message) => Results.Bytes(message.ToByteArray(), "application/x-protobuf");

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
