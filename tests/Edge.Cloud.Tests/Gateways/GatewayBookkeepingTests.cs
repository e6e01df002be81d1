using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Edge.Cloud.Alarms;
using Edge.Cloud.Domain;
using Edge.Cloud.Gateways;
using Edge.Cloud.Storage;
using Edge.Cloud.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Edge.Cloud.Tests.Gateways;

/// <summary>
/// A gateway's clock error and uplink report (docs/uplink.md §2) over real HTTP on SQLite and PostgreSQL: written at once
/// when something an operator acts on changes (first report, backlog reaching or leaving zero, new version, clock out of
/// bounds), otherwise at most once a second per gateway — the latest kept back in between, written by the next batch after
/// the second, by the flush when none comes, and at shutdown.
/// </summary>
public abstract class GatewayBookkeepingTests : IAsyncLifetime
{
    private const string Gateway = "gw-igoumenitsa-1";
    private const string Token = "token-of-gw-igoumenitsa-1-at-least-32-chars";
    // The tests flush by hand: the flusher's loop (a Task.Delay on this clock) never wakes, so it cannot also flush at a
    // real-time tick between a test's steps (it did, under load: a kept-back report written before the batch meant to
    // write it). Its flush at shutdown still runs.
    private readonly ManualClock _clock = new(1767304800) { TimersStopped = true };
    private CloudServer _server = null!;

    protected abstract Task<IDictionary<string, string?>> StorageSettingsAsync();

    public async Task InitializeAsync()
    {
        var settings = new Dictionary<string, string?>(await StorageSettingsAsync())
        {
            ["Gateways:Seed:0:Id"] = Gateway,
            ["Gateways:Seed:0:Token"] = Token,
            ["Alarms:IntervalS"] = "3600",
        };
        _server = await CloudServer.StartAsync(settings, services => services.AddSingleton<TimeProvider>(_clock));
    }

    public virtual async Task DisposeAsync() => await _server.DisposeAsync();

    /// <summary>An empty batch sent at <paramref name="sentAt"/> with the gateway's two report headers.</summary>
    private async Task PostAsync(long sentAt, long depth, string version = "1.4.0")
    {
        var batch = Records.Batch(Gateway);
        batch["sentAt"] = sentAt;
        var (status, body) = await _server.PostBatchAsync(Gateway, Token, batch,
            ("User-Agent", "edge-gateway/" + version), (GatewayUplinkReports.DepthHeader, depth.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.True(status == HttpStatusCode.OK, $"{(int)status}: {body}");
    }

    /// <summary>What the gateways page shows: the stored report and clock error.</summary>
    private async Task<(string? Version, long? Depth, long ClockOffset)> StoredAsync()
    {
        await using var tx = await Tx.ReadAsync(_server.App.Services.GetRequiredService<IStorageConnections>());
        var report = (await GatewayUplinkReports.ListAsync(tx))[Gateway];
        var offset = await tx.LongAsync("SELECT offset_s FROM gateway_clock WHERE gateway = @g", ("@g", Gateway));
        return (report.Version, report.OutboxDepth, offset!.Value);
    }

    private GatewayBookkeeping Bookkeeping => _server.App.Services.GetRequiredService<GatewayBookkeeping>();

    [Fact]
    public async Task Reports_within_a_second_are_kept_back_and_written_by_the_next_batch_after_it_the_flush_or_shutdown()
    {
        var t = _clock.UnixNow;
        await PostAsync(t, 500); // the first report this process sees: written at once
        Assert.Equal(("1.4.0", 500L, 0L), await StoredAsync());

        await PostAsync(t - 2, 400); // same second, nothing an operator acts on changed: kept back
        Assert.Equal(("1.4.0", 500L, 0L), await StoredAsync());
        await Bookkeeping.FlushAsync(); // not due yet
        Assert.Equal(("1.4.0", 500L, 0L), await StoredAsync());
        _clock.Advance(1);
        await Bookkeeping.FlushAsync(); // due: the latest kept-back report (no batch came since)
        Assert.Equal(("1.4.0", 400L, -2L), await StoredAsync());

        await PostAsync(_clock.UnixNow - 1, 300); // kept back again, then the next batch after a second writes its own
        Assert.Equal(("1.4.0", 400L, -2L), await StoredAsync());
        _clock.Advance(1);
        await PostAsync(_clock.UnixNow - 3, 200);
        Assert.Equal(("1.4.0", 200L, -3L), await StoredAsync());

        await PostAsync(_clock.UnixNow, 0); // caught up: written at once
        Assert.Equal(("1.4.0", 0L, 0L), await StoredAsync());
        await PostAsync(_clock.UnixNow, 0, "1.5.0"); // a new version: at once
        Assert.Equal(("1.5.0", 0L, 0L), await StoredAsync());
        await PostAsync(_clock.UnixNow, 7, "1.5.0"); // a backlog again: at once
        Assert.Equal(("1.5.0", 7L, 0L), await StoredAsync());

        await PostAsync(_clock.UnixNow - 1, 5, "1.5.0"); // kept back, then written when the cloud stops
        Assert.Equal(("1.5.0", 7L, 0L), await StoredAsync());
        await _server.RestartAsync();
        Assert.Equal(("1.5.0", 5L, -1L), await StoredAsync());
    }

    [Fact]
    public async Task A_clock_out_of_bounds_is_written_and_alarmed_at_once_and_its_return_clears_the_alarm_at_once()
    {
        var t = _clock.UnixNow;
        await PostAsync(t, 10);
        await PostAsync(t + 120, 10); // beyond Ingestion:Clock:AlarmS (60): written and alarmed within the same second
        Assert.Equal(("1.4.0", 10L, 120L), await StoredAsync());
        var alarm = Assert.Single(await ActiveAlarmsAsync());
        Assert.Equal((GatewayClock.AlarmKind, "minor"), (alarm.Kind, alarm.Severity));
        await PostAsync(t + 400, 10); // beyond MaxAheadS (300): major
        Assert.Equal("major", Assert.Single(await ActiveAlarmsAsync()).Severity);

        await PostAsync(t + 1, 10); // back in bounds: written and cleared at once
        Assert.Equal(("1.4.0", 10L, 1L), await StoredAsync());
        Assert.Empty(await ActiveAlarmsAsync());
    }

    private async Task<IReadOnlyList<AlarmInfo>> ActiveAlarmsAsync() =>
        await _server.App.Services.GetRequiredService<AlarmService>().ListAsync("active", null, null, 100);
}

public sealed class SqliteGatewayBookkeepingTests : GatewayBookkeepingTests
{
    protected override Task<IDictionary<string, string?>> StorageSettingsAsync() =>
        Task.FromResult<IDictionary<string, string?>>(new Dictionary<string, string?>());
}

public sealed class PostgresGatewayBookkeepingTests : GatewayBookkeepingTests
{
    private TestPostgres? _database;

    protected override async Task<IDictionary<string, string?>> StorageSettingsAsync()
    {
        _database = await TestPostgres.CreateAsync();
        return _database.AppSettings;
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (_database is not null) await _database.DisposeAsync();
    }
}
