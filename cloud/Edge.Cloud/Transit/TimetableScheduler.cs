using System;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using NodaTime;

namespace Edge.Cloud.Transit;

/// <summary>
/// When timetables are published: every stop when a feed becomes active and once a day just after the agency's
/// midnight (today and tomorrow move on), one stop when its links change. Requests queue and are served one
/// at a time, so an import never races the daily run.
/// </summary>
public sealed class TimetableScheduler : BackgroundService
{
    /// <summary>Minutes after local midnight for the daily run (a trip's day starts at "noon minus 12 h").</summary>
    private static readonly Duration DailyAfterMidnight = Duration.FromMinutes(5);

    private readonly TimetablePublisher _publisher;
    private readonly TimeProvider _time;
    private readonly ILogger<TimetableScheduler> _logger;
    private readonly Channel<string?> _requests = Channel.CreateUnbounded<string?>();

    public TimetableScheduler(TimetablePublisher publisher, FeedImporter importer, StopLinks links, TimeProvider time, ILogger<TimetableScheduler> logger)
    {
        _publisher = publisher;
        _time = time;
        _logger = logger;
        importer.FeedChanged += _ => _requests.Writer.TryWrite(null);
        links.Changed += node => _requests.Writer.TryWrite(node);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _requests.Writer.TryWrite(null); // at start: the day may have turned while the service was down
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // A database hiccup must not stop the host: log, pause, and carry on.
                _logger.LogError(e, "Publishing timetables failed; trying again in a minute");
                await Task.Delay(TimeSpan.FromMinutes(1), _time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    /// <summary>Waits for a request or the daily run, then publishes.</summary>
    private async Task RunOnceAsync(CancellationToken stoppingToken)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var zone = await _publisher.ZoneAsync(stoppingToken);
        wait.CancelAfter(zone is null ? TimeSpan.FromHours(1) : UntilDailyRun(zone));
        string? node;
        try
        {
            node = await _requests.Reader.ReadAsync(wait.Token);
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            node = null; // the daily run
        }
        var published = await _publisher.PublishAsync(node, stoppingToken);
        _logger.LogInformation("Published the timetables of {Count} bus stop(s)", published.Count);
    }

    private TimeSpan UntilDailyRun(DateTimeZone zone)
    {
        var now = Instant.FromDateTimeOffset(_time.GetUtcNow());
        var next = now.InZone(zone).Date.PlusDays(1).AtStartOfDayInZone(zone).ToInstant().Plus(DailyAfterMidnight);
        return (next - now).ToTimeSpan();
    }
}
