using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using Edge.Cloud.Storage.Migrations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Edge.Cloud.Storage;

public static class StorageServiceCollectionExtensions
{
    /// <summary>
    /// The configured database (<see cref="StorageOptions"/>), its stores, and the start-up migration.
    /// Other concepts add their schema with <c>services.AddSingleton&lt;IMigrationSource, …&gt;()</c>.
    /// </summary>
    public static IServiceCollection AddEdgeStorage(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<StorageOptions>(configuration.GetSection(StorageOptions.Section));
        services.TryAddSingleton(TimeProvider.System); // tests may register a manual clock first
        services.AddSingleton<IStorageConnections>(sp => CreateConnections(
            sp.GetRequiredService<IOptions<StorageOptions>>().Value, sp.GetRequiredService<IHostEnvironment>().ContentRootPath));
        services.AddSingleton<IMigrationSource, IngestSchema>();
        services.AddSingleton<IMigrationSource, IntegritySchema>();
        services.AddSingleton<EnergyDays>();
        services.AddSingleton<Migrator>();
        services.AddSingleton<IIngestStore>(sp =>
        {
            var connections = sp.GetRequiredService<IStorageConnections>();
            var time = sp.GetRequiredService<TimeProvider>();
            return connections is PostgresConnections postgres
                ? new PostgresIngestStore(postgres, time)
                : new SqliteIngestStore(connections, time);
        });
        services.AddSingleton<IEventHubCheckpointStore, SqlEventHubCheckpointStore>();
        services.AddHostedService<StorageMigration>();
        return services;
    }

    /// <summary>Connections for the options; throws with a message saying what to configure.</summary>
    public static IStorageConnections CreateConnections(StorageOptions options, string contentRoot)
    {
        switch (options.Provider)
        {
            case StorageKind.Postgres:
                if (string.IsNullOrWhiteSpace(options.PostgresConnectionString))
                {
                    throw new InvalidOperationException(
                        "Storage:Provider is Postgres but Storage:PostgresConnectionString is empty (environment: Storage__PostgresConnectionString)");
                }
                return new PostgresConnections(options.PostgresConnectionString);
            default:
                var directory = Path.IsPathRooted(options.DataDirectory) ? options.DataDirectory : Path.Combine(contentRoot, options.DataDirectory);
                return new SqliteConnections(Path.Combine(directory, options.SqliteFile));
        }
    }

    /// <summary>Migrates before anything else starts (it is the first hosted service registered by the
    /// composition root, and hosted services start in order before the server accepts requests).</summary>
    private sealed class StorageMigration(Migrator migrator) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => migrator.MigrateAsync(cancellationToken);

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
