using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Edge.Cloud.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Edge.Cloud.Transit.Realtime;

/// <summary>
/// Polls the configured GTFS-Realtime URLs (TripUpdates, VehiclePositions, ServiceAlerts) every
/// <see cref="RealtimeOptions.IntervalSeconds"/> and then republishes the display content of the stops whose
/// departures, notices or banner changed (and, while live predictions are shown, refreshes the others before they
/// go stale on the sign). An unreachable URL, an HTTP error, an HTML page, protobuf garbage or an older feed is
/// logged and changes nothing; a feed that stops coming ages past <see cref="RealtimeOptions.MaxAgeSeconds"/> and
/// the stops fall back to scheduled times.
/// </summary>
public sealed class RealtimePoller : BackgroundService
{
    private readonly IHttpClientFactory _http;
    private readonly TimetablePublisher _publisher;
    private readonly RealtimeOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<RealtimePoller> _logger;
    private readonly IStorageConnections _connections;
    private readonly TripUpdates _tripUpdates;
    private readonly List<(string Url, Func<byte[], CancellationToken, Task<(RealtimeRefusal, string?)>> Accept)> _feeds = new();

    public RealtimePoller(IHttpClientFactory http, TripUpdates tripUpdates, VehiclePositions vehicles, ServiceAlerts alerts, TimetablePublisher publisher,
        IOptions<TransitOptions> options, TimeProvider time, IStorageConnections connections, ILogger<RealtimePoller> logger)
    {
        _connections = connections;
        _tripUpdates = tripUpdates;
        _http = http;
        _publisher = publisher;
        _options = options.Value.Realtime;
        _time = time;
        _logger = logger;
        // Trips named without trip_id (in trip updates and alerts' informed entities) are looked up in the timetable
        // before the feed is held.
        Add(_options.TripUpdatesUrl, (bytes, ct) => tripUpdates.AcceptAsync(bytes, snapshot => TripUpdates.ResolveAsync(connections, snapshot, ct)));
        Add(_options.VehiclePositionsUrl, Sync(vehicles));
        Add(_options.ServiceAlertsUrl, (bytes, ct) => alerts.AcceptAsync(bytes, snapshot => ServiceAlerts.ResolveAsync(connections, snapshot, ct)));
    }

    private static Func<byte[], CancellationToken, Task<(RealtimeRefusal, string?)>> Sync<T>(RealtimeFeed<T> feed) where T : class =>
        (bytes, _) => Task.FromResult((feed.Accept(bytes, out var problem), problem));

    private void Add(string? url, Func<byte[], CancellationToken, Task<(RealtimeRefusal, string?)>> accept)
    {
        if (!string.IsNullOrWhiteSpace(url)) _feeds.Add((url, accept));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_feeds.Count == 0) return;
        var interval = TimeSpan.FromSeconds(Math.Max(1, _options.IntervalSeconds));
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await PollOnceAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                _logger.LogWarning("Publishing GTFS-Realtime departures failed: {Problem}", e.Message);
            }
            try
            {
                await Task.Delay(interval, _time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>One round: fetch and take each feed, then republish what changed.</summary>
    public async Task PollOnceAsync(CancellationToken ct)
    {
        using var client = _http.CreateClient(nameof(RealtimePoller));
        foreach (var (url, accept) in _feeds)
        {
            try
            {
                using var response = await client.GetAsync(url, ct);
                response.EnsureSuccessStatusCode();
                var (refusal, problem) = await accept(await response.Content.ReadAsByteArrayAsync(ct), ct);
                if (refusal != RealtimeRefusal.None) _logger.LogWarning("GTFS-Realtime feed from {Url} not taken: {Problem}", url, problem);
            }
            catch (Exception e) when (e is HttpRequestException || (e is TaskCanceledException && !ct.IsCancellationRequested))
            {
                // One feed down must not keep the others from the signs.
                _logger.LogWarning("GTFS-Realtime poll of {Url} failed: {Problem}", url, e.Message);
            }
        }
        if (!string.IsNullOrWhiteSpace(_options.TripUpdatesUrl)) await UnknownTrips.CheckAsync(_connections, _tripUpdates, _logger, ct);
        await _publisher.PublishRealtimeAsync(ct);
    }
}
