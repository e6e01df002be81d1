using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Edge.Cloud.Storage;
using Edge.Cloud.Web.Localization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Edge.Cloud.Web.Technicians;

/// <summary>
/// Sums the energy report's days ahead of the first request for them (<see cref="EnergyDays"/>): at start and every
/// <see cref="Interval"/>, the site's current month and the one before, so the month a technician opens at the start
/// of the next one is already summed. Older months are summed at their first report and kept from then on.
/// </summary>
public sealed class EnergyDayKeeper(EnergyDays days, SiteClock clock, IHostApplicationLifetime lifetime, ILogger<EnergyDayKeeper> logger) : BackgroundService
{
    /// <summary>A day is kept once it ended 72 hours ago; passes this often keep each within a few hours of that.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromHours(6);

    /// <summary>After a failed pass (the database away), the next try comes sooner than the next pass would.</summary>
    public static readonly TimeSpan RetryAfterFailure = TimeSpan.FromMinutes(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Not before every hosted service has started: the storage migration among them, which the console's services
        // are registered before (a first pass on a new or upgraded database would find no tables).
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        using (stoppingToken.Register(() => started.TrySetCanceled(stoppingToken)))
        {
            try
            {
                await started.Task;
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
        while (!stoppingToken.IsCancellationRequested)
        {
            var wait = Interval;
            try
            {
                await KeepAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // The report still works without it (it sums what is not kept).
                logger.LogWarning(e, "Summing the energy report's days failed; next try in {Wait}", RetryAfterFailure);
                wait = RetryAfterFailure;
            }
            try
            {
                await Task.Delay(wait, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>One pass: the current month and the one before, in the site's zone, as one window of days.</summary>
    internal async Task KeepAsync(CancellationToken ct = default) => await days.StepsAsync(LastTwoMonths(await clock.ForAsync(null, ct)), ct);

    /// <summary>The local midnights from the first day of last month to the first day of next month.</summary>
    internal static List<long> LastTwoMonths(SiteTime time)
    {
        var today = time.Local(time.Now);
        var month = new DateOnly(today.Year, today.Month, 1);
        return EnergyReports.Days(time.Zone, month.AddMonths(-1).Year, month.AddMonths(-1).Month)
            .Concat(EnergyReports.Days(time.Zone, month.Year, month.Month).Skip(1)).ToList();
    }
}
