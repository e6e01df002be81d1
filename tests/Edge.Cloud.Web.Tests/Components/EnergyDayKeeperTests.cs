using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Edge.Cloud.Storage;
using Edge.Cloud.Storage.Migrations;
using Edge.Cloud.Tests.Support;
using Edge.Cloud.Web.Hosting;
using Edge.Cloud.Web.Localization;
using Edge.Cloud.Web.Technicians;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Edge.Cloud.Web.Tests.Components;

/// <summary>
/// The energy day keeper waits for the host to have started: the console's services are registered before the storage
/// migration, and .NET runs every background service's ExecuteAsync on the thread pool, so a first pass that did not
/// wait raced the migration on a new or upgraded database (it lost on PostgreSQL, then waited hours for its next pass).
/// </summary>
public sealed class EnergyDayKeeperTests
{
    [Fact]
    public async Task The_first_pass_waits_for_the_host_to_have_started_then_sums_the_last_two_months()
    {
        using var folder = new TempDirectory();
        await using var app = ConsoleHost.Create([], builder => builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "Sqlite", ["Storage:DataDirectory"] = folder.Path, ["Logging:LogLevel:Default"] = "Warning",
        }));
        var services = app.Services;
        var lifetime = new Lifetime();
        var log = new WarningLog();
        var keeper = new EnergyDayKeeper(services.GetRequiredService<EnergyDays>(), services.GetRequiredService<SiteClock>(), lifetime, log);

        // Started before the database has its tables: it must not touch it yet.
        await keeper.StartAsync(CancellationToken.None);
        await Task.Delay(500);
        Assert.Empty(log.Warnings);

        await services.GetRequiredService<Migrator>().MigrateAsync();
        lifetime.Start();
        var time = await services.GetRequiredService<SiteClock>().ForAsync(null);
        var bounds = EnergyDayKeeper.LastTwoMonths(time);
        var settled = bounds.Zip(bounds.Skip(1)).Count(day => day.Second <= time.Now - (long)EnergyDays.Settle.TotalSeconds);
        long kept = 0;
        for (var i = 0; i < 100 && kept < settled; i++)
        {
            await Task.Delay(100);
            await using var connection = await services.GetRequiredService<IStorageConnections>().OpenAsync();
            await using var count = connection.CreateCommand();
            count.CommandText = "SELECT COUNT(*) FROM energy_day_spans";
            kept = Convert.ToInt64(await count.ExecuteScalarAsync());
        }

        Assert.Equal(settled, kept);
        Assert.Empty(log.Warnings);
        await keeper.StopAsync(CancellationToken.None);
    }

    /// <summary>A host lifetime whose start the test decides.</summary>
    private sealed class Lifetime : IHostApplicationLifetime
    {
        private readonly CancellationTokenSource _started = new();

        public CancellationToken ApplicationStarted => _started.Token;
        public CancellationToken ApplicationStopping => CancellationToken.None;
        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void Start() => _started.Cancel();

        public void StopApplication()
        {
        }
    }

    /// <summary>What the keeper logs at Warning and above.</summary>
    private sealed class WarningLog : ILogger<EnergyDayKeeper>
    {
        public ConcurrentQueue<string> Warnings { get; } = new();

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel)) Warnings.Enqueue(formatter(state, exception) + " " + exception?.Message);
        }
    }
}
