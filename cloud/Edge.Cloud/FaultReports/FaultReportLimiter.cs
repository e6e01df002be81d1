using System;
using System.Threading;
using System.Threading.Tasks;
using Edge.Cloud.Domain;
using Edge.Cloud.Storage;
using Microsoft.Extensions.Options;

namespace Edge.Cloud.FaultReports;

/// <summary>
/// Fixed windows of <see cref="FaultReportOptions.PerAddressPermits"/> reports per client address, on the app's
/// <see cref="TimeProvider"/>, counted in the database (<c>fault_report_windows</c>, migration 163): the count
/// survives a restart and holds across every cloud instance on the same database. One upsert takes a permit, so two
/// instances that count the same address at once cannot both take the last one. Windows that have ended are deleted
/// as reports come in (a citizen's report is rare; the delete runs on the <c>window_start</c> index).
/// </summary>
public sealed class FaultReportLimiter
{
    // A new address starts a window at 1; an ended window starts again at 1; else the count goes up, refused attempts
    // included (the window does not move, so they only keep the address over the limit until it ends). UPDATE … SET
    // reads the row as it was in both providers, so both CASEs see the old window_start.
    private const string Take = """
        INSERT INTO fault_report_windows (address, window_start, attempts) VALUES (@address, @now, 1)
        ON CONFLICT (address) DO UPDATE SET
          window_start = CASE WHEN @now - fault_report_windows.window_start >= @window THEN @now ELSE fault_report_windows.window_start END,
          attempts = CASE WHEN @now - fault_report_windows.window_start >= @window THEN 1 ELSE fault_report_windows.attempts + 1 END
        RETURNING window_start, attempts
        """;

    private readonly IStorageConnections _connections;
    private readonly FaultReportOptions _options;
    private readonly TimeProvider _time;

    public FaultReportLimiter(IStorageConnections connections, IOptions<FaultReportOptions> options, TimeProvider time)
    {
        _connections = connections;
        _options = options.Value;
        _time = time;
    }

    /// <summary>0 when the address may report now (and counts it), else the seconds until its window ends.</summary>
    public async Task<long> TryTakeAsync(string address, CancellationToken ct = default)
    {
        long now = _time.GetUtcNow().ToUnixTimeSeconds();
        long window = _options.PerAddressWindowSeconds;
        await using var tx = await Tx.BeginAsync(_connections, ct);
        await tx.ExecAsync("DELETE FROM fault_report_windows WHERE window_start <= @ended", ("@ended", now - window));
        var taken = (await tx.QueryAsync(Take, r => (Start: Convert.ToInt64(r.GetValue(0)), Count: Convert.ToInt64(r.GetValue(1))),
            ("@address", address), ("@now", now), ("@window", window)))[0];
        await tx.CommitAsync();
        return taken.Count <= _options.PerAddressPermits ? 0 : Math.Max(1, taken.Start + window - now);
    }
}
