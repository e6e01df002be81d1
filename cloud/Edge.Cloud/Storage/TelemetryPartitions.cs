using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace Edge.Cloud.Storage;

/// <summary>
/// Creates PostgreSQL telemetry partitions on demand: one per calendar month (UTC) of <c>ts</c>, named
/// <c>telemetry_yYYYYmMM</c>, bounds in Unix seconds. Months already seen by this process are cached so the
/// steady state costs nothing; a partition created concurrently by another process is not an error.
/// </summary>
public sealed class TelemetryPartitions
{
    private readonly ConcurrentDictionary<int, bool> _known = new();

    public static (string Name, long From, long To) MonthOf(long ts)
    {
        var instant = DateTimeOffset.FromUnixTimeSeconds(ts);
        var start = new DateTimeOffset(instant.Year, instant.Month, 1, 0, 0, 0, TimeSpan.Zero);
        var name = string.Create(CultureInfo.InvariantCulture, $"telemetry_y{start.Year:D4}m{start.Month:D2}");
        return (name, start.ToUnixTimeSeconds(), start.AddMonths(1).ToUnixTimeSeconds());
    }

    /// <summary>Makes sure a partition exists for every given instant. Runs outside the batch transaction so
    /// a lost creation race does not abort the batch.</summary>
    public async Task EnsureAsync(NpgsqlConnection connection, IEnumerable<long> timestamps, CancellationToken cancellationToken)
    {
        foreach (var ts in timestamps)
        {
            var instant = DateTimeOffset.FromUnixTimeSeconds(ts);
            var key = instant.Year * 12 + instant.Month - 1;
            if (_known.ContainsKey(key)) continue;
            var (name, from, to) = MonthOf(ts);
            await using var command = connection.CreateCommand();
            command.CommandText = string.Create(CultureInfo.InvariantCulture,
                $"CREATE TABLE IF NOT EXISTS {name} PARTITION OF telemetry FOR VALUES FROM ({from}) TO ({to})");
            try
            {
                await command.ExecuteNonQueryAsync(cancellationToken);
            }
            catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.DuplicateTable or PostgresErrorCodes.UniqueViolation)
            {
                // Another writer created it between our IF NOT EXISTS check and the insert into the catalog.
            }
            _known[key] = true;
        }
    }
}
