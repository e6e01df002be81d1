using System;
using System.Collections.Generic;
using System.Data.Common;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;

namespace Edge.Cloud.Storage.Migrations;

/// <summary>
/// Brings the database to the newest schema: creates <c>schema_version</c>, then applies every registered
/// migration not yet recorded there, in version order, in ONE transaction (both providers have
/// transactional DDL, so a failed step leaves the schema as it was). Safe to run at every start-up and
/// from several processes at once: PostgreSQL serialises runs with an advisory lock, SQLite with its
/// write lock (<c>BEGIN IMMEDIATE</c>).
/// </summary>
public sealed class Migrator
{
    // Arbitrary constant identifying "the Edge schema migration" among advisory locks.
    private const long PostgresAdvisoryLockKey = 0x45646765_4D696772;

    private readonly IStorageConnections _connections;
    private readonly IReadOnlyList<Migration> _migrations;
    private readonly ILogger<Migrator> _logger;

    public Migrator(IStorageConnections connections, IEnumerable<IMigrationSource> sources, ILogger<Migrator> logger)
    {
        _connections = connections;
        _logger = logger;
        _migrations = sources.SelectMany(s => s.Migrations).OrderBy(m => m.Version).ToList();
        var duplicate = _migrations.GroupBy(m => m.Version).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidOperationException(
                $"migration version {duplicate.Key} is defined twice: {string.Join(", ", duplicate.Select(m => m.Name))}");
        }
    }

    /// <summary>Applies what is missing; returns the versions applied by this call.</summary>
    public async Task<IReadOnlyList<int>> MigrateAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await _connections.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (_connections.Kind == StorageKind.Postgres)
        {
            await ExecuteAsync(connection, transaction, $"SELECT pg_advisory_xact_lock({PostgresAdvisoryLockKey})", cancellationToken);
        }
        await ExecuteAsync(connection, transaction,
            "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
            cancellationToken);

        var applied = new HashSet<int>();
        await using (var read = connection.CreateCommand())
        {
            read.Transaction = transaction;
            read.CommandText = "SELECT version FROM schema_version";
            await using var reader = await read.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken)) applied.Add(Convert.ToInt32(reader.GetValue(0)));
        }

        var done = new List<int>();
        foreach (var migration in _migrations.Where(m => !applied.Contains(m.Version)))
        {
            _logger.LogInformation("Applying migration {Version} {Name} ({Provider})", migration.Version, migration.Name, _connections.Kind);
            await ExecuteAsync(connection, transaction, migration.SqlFor(_connections.Kind), cancellationToken);
            await using var record = connection.CreateCommand();
            record.Transaction = transaction;
            record.CommandText = "INSERT INTO schema_version (version, name, applied_at) VALUES (@version, @name, @at)";
            AddParameter(record, "version", migration.Version);
            AddParameter(record, "name", migration.Name);
            AddParameter(record, "at", DateTimeOffset.UtcNow.ToUnixTimeSeconds());
            await record.ExecuteNonQueryAsync(cancellationToken);
            done.Add(migration.Version);
        }
        await transaction.CommitAsync(cancellationToken);
        return done;
    }

    private static async Task ExecuteAsync(DbConnection connection, DbTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static void AddParameter(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
