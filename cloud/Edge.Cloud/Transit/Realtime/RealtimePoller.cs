using System;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Edge.Cloud.Transit.Realtime;

/// <summary>
/// Polls the configured TripUpdates URL every <see cref="RealtimeOptions.IntervalSeconds"/> and, after each
/// feed it takes, republishes the display content of the stops whose arrivals changed. An unreachable URL, an
/// HTTP error, an HTML page, protobuf garbage or an older feed is logged and changes nothing; a feed that stops
/// coming ages past <see cref="RealtimeOptions.MaxAgeSeconds"/> and the stops fall back to scheduled times.
/// </summary>
public sealed class RealtimePoller : BackgroundService
{
    private readonly IHttpClientFactory _http;
    private readonly TripUpdates _tripUpdates;
    private readonly TimetablePublisher _publisher;
    private readonly RealtimeOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<RealtimePoller> _logger;

    public RealtimePoller(IHttpClientFactory http, TripUpdates tripUpdates, TimetablePublisher publisher, IOptions<TransitOptions> options,
        TimeProvider time, ILogger<RealtimePoller> logger)
    {
        _http = http;
        _tripUpdates = tripUpdates;
        _publisher = publisher;
        _options = options.Value.Realtime;
        _time = time;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (string.IsNullOrWhiteSpace(_options.TripUpdatesUrl)) return;
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
                _logger.LogWarning("GTFS-Realtime poll of {Url} failed: {Problem}", _options.TripUpdatesUrl, e.Message);
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

    /// <summary>One poll: fetch, take, republish what changed.</summary>
    public async Task PollOnceAsync(CancellationToken ct)
    {
        using var client = _http.CreateClient(nameof(RealtimePoller));
        using var response = await client.GetAsync(_options.TripUpdatesUrl, ct);
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadAsByteArrayAsync(ct);
        var refusal = _tripUpdates.Accept(body, out var problem);
        if (refusal != RealtimeRefusal.None)
        {
            _logger.LogWarning("GTFS-Realtime feed from {Url} not taken: {Problem}", _options.TripUpdatesUrl, problem);
            return;
        }
        await _publisher.PublishRealtimeAsync(ct);
    }
}
