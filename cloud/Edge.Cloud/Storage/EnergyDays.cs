using System;
using System.Collections.Generic;
using System.Data;
using System.Data.Common;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Edge.Cloud.Storage.Migrations;
using Edge.Sqlite;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;

namespace Edge.Cloud.Storage;

/// <summary>What one lamp's energy counter did over a window: how many readings, the first and last instant, the Wh
/// it rose by in all and how many times it fell.</summary>
public sealed record CounterSteps(int Readings, long First, long Last, double RiseWh, int Drops);

/// <summary>One lamp's counter over one day: its steps inside the day, and its first and last value, which chain the
/// day to the days around it (the step from one day's last reading to the next day's first belongs to neither).</summary>
public sealed record CounterDay(string Node, int Readings, long First, long Last, long FirstWh, long LastWh, long RiseWh, int Drops);

/// <summary>
/// The street lights' energy counters (<c>telemetry.energy_wh</c>) summed per lamp and local day, kept in
/// <c>energy_days</c> so that a month's report reads 30 rows a lamp instead of every reading of the month (7.2 million
/// rows at 10,000 lamps reporting hourly; 86 million every 5 minutes). A day is kept once it ended
/// <see cref="Settle"/> ago; younger days are summed from the readings at every call. Readings can still arrive for an
/// old day (a gateway's outbox after a week offline): the ingest stores call <see cref="InvalidateAsync"/> in their
/// transaction for any street light reading older than <see cref="Late"/>, which drops the kept days it falls in and
/// moves <c>energy_day_version</c>, so a sum computed from a snapshot taken before that reading is not kept either.
/// Within a day the readings are ordered by time, then by counter value (two readings at one instant are not a fall).
/// </summary>
public sealed class EnergyDays(IStorageConnections connections, TimeProvider time, ILogger<EnergyDays>? logger = null)
{
    /// <summary>How long after its end a day is kept summed. Longer than <see cref="Late"/> by a day, so a reading stored
    /// after the sum was kept is always late enough to drop it, even between two servers whose clocks differ by hours.</summary>
    public static readonly TimeSpan Settle = TimeSpan.FromHours(72);

    /// <summary>A street light reading older than this when stored drops the kept days it falls in.</summary>
    public static readonly TimeSpan Late = TimeSpan.FromHours(48);

    /// <summary>The sums of the days between <c>@b0</c> … <c>@b{days}</c>, in one pass over their readings: each reading's
    /// day found by its bounds, one ordering per lamp and day for the steps and both ends (a reading with no previous
    /// one is the day's first, with no next one its last). One query for the whole span, not one per day: the readings
    /// of a day lie all over the table when they were written lamp after lamp.</summary>
    private static string DaysSql(int days)
    {
        var day = new System.Text.StringBuilder(days == 1 ? "0" : "CASE");
        for (var i = 1; i < days; i++) day.Append($" WHEN ts < @b{i} THEN {i - 1}");
        if (days > 1) day.Append($" ELSE {days - 1} END");
        return $"""
            SELECT node, day, COUNT(*), MIN(ts), MAX(ts), MAX(CASE WHEN step IS NULL THEN energy_wh END), MAX(CASE WHEN next_wh IS NULL THEN energy_wh END),
              SUM(CASE WHEN step > 0 THEN step ELSE 0 END), SUM(CASE WHEN step < 0 THEN 1 ELSE 0 END)
            FROM (SELECT node, day, ts, energy_wh, energy_wh - LAG(energy_wh) OVER w AS step, LEAD(energy_wh) OVER w AS next_wh
                  FROM (SELECT node, ts, energy_wh, {day} AS day FROM telemetry
                        WHERE type = 'streetlight' AND energy_wh IS NOT NULL AND ts >= @b0 AND ts < @b{days}) dated
                  WINDOW w AS (PARTITION BY node, day ORDER BY ts, energy_wh)) readings
            GROUP BY node, day
            """;
    }

    /// <summary>The tables (<see cref="IngestSchema"/> migration 3, as the ingest stores write to them): one row per lamp
    /// and kept day, the days kept (a day without any reading is kept too, as its span), and the version late readings move.</summary>
    internal const string Schema = """
        CREATE TABLE energy_days (
          node TEXT NOT NULL,
          day_start BIGINT NOT NULL,
          day_end BIGINT NOT NULL,
          readings BIGINT NOT NULL,
          first_ts BIGINT NOT NULL,
          last_ts BIGINT NOT NULL,
          first_wh BIGINT NOT NULL,
          last_wh BIGINT NOT NULL,
          rise_wh BIGINT NOT NULL,
          drops BIGINT NOT NULL,
          PRIMARY KEY (day_start, node)
        );
        CREATE TABLE energy_day_spans (day_start BIGINT PRIMARY KEY, day_end BIGINT NOT NULL);
        CREATE TABLE energy_day_version (version BIGINT NOT NULL);
        INSERT INTO energy_day_version (version) VALUES (0);
        """;

    /// <summary>Tests: runs between the snapshot and keeping its sums (a late reading stored there must not be lost).</summary>
    internal Func<Task>? AfterSnapshot { get; set; }

    private const string Columns = "node, day_start, day_end, readings, first_ts, last_ts, first_wh, last_wh, rise_wh, drops";

    /// <summary>Each lamp's counter over the days between consecutive <paramref name="boundaries"/> (Unix seconds of
    /// local midnights, ascending): the days' sums chained in order, as if the whole window had been summed at once.</summary>
    public async Task<Dictionary<string, CounterSteps>> StepsAsync(IReadOnlyList<long> boundaries, CancellationToken ct = default)
    {
        var days = await DaysAsync(boundaries, ct);
        return Chain(days);
    }

    /// <summary>The per-day sums of each day of the window (kept ones read, the others summed and the settled among them
    /// kept), in day order.</summary>
    private async Task<List<CounterDay>[]> DaysAsync(IReadOnlyList<long> boundaries, CancellationToken ct)
    {
        if (boundaries.Count < 2) return [];
        var dayCount = boundaries.Count - 1;
        var result = new List<CounterDay>[dayCount];
        var settledBefore = time.GetUtcNow().ToUnixTimeSeconds() - (long)Settle.TotalSeconds;
        var summed = new List<int>();
        long version;
        await using var connection = await connections.OpenAsync(ct);
        // One snapshot for the version, the kept days and the readings summed: whatever is stored after it moves the
        // version (or is not late, so not in a kept day).
        await using (var snapshot = connections.Kind == StorageKind.Postgres
            ? await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct)
            : ((SqliteConnection)connection).BeginTransaction(deferred: true))
        {
            version = await VersionAsync(connection, snapshot, forUpdate: false, ct);
            var kept = new Dictionary<long, long>();
            await using (var spans = connection.Command(snapshot, "SELECT day_start, day_end FROM energy_day_spans WHERE day_start >= @from AND day_start < @to",
                ("@from", boundaries[0]), ("@to", boundaries[^1])))
            await using (var reader = await spans.ExecuteReaderAsync(ct))
            {
                while (await reader.ReadAsync(ct)) kept[reader.GetInt64(0)] = reader.GetInt64(1);
            }
            var index = new Dictionary<long, int>();
            for (var i = 0; i < dayCount; i++)
            {
                // A span of other bounds (the site's zone changed since) does not count.
                if (kept.TryGetValue(boundaries[i], out var end) && end == boundaries[i + 1]) index[boundaries[i]] = i;
                result[i] = new List<CounterDay>();
            }
            if (index.Count > 0)
            {
                await using var rows = connection.Command(snapshot, $"SELECT {Columns} FROM energy_days WHERE day_start >= @from AND day_start < @to",
                    ("@from", boundaries[0]), ("@to", boundaries[^1]));
                await using var reader = await rows.ExecuteReaderAsync(ct);
                while (await reader.ReadAsync(ct))
                {
                    if (index.TryGetValue(reader.GetInt64(1), out var i) && reader.GetInt64(2) == boundaries[i + 1]) result[i].Add(Read(reader));
                }
            }
            var missing = Enumerable.Range(0, dayCount).Where(i => !index.ContainsKey(boundaries[i])).ToList();
            if (missing.Count > 0)
            {
                // From the first day not kept to the last: kept days in between are summed again and left as kept.
                var sums = await SumAsync(connection, snapshot, boundaries, missing[0], missing[^1] + 1, ct);
                foreach (var i in missing)
                {
                    result[i] = sums[i - missing[0]];
                    if (boundaries[i + 1] <= settledBefore) summed.Add(i);
                }
            }
            await snapshot.CommitAsync(ct);
        }
        if (AfterSnapshot is { } between) await between();
        if (summed.Count == 0) return result;
        try
        {
            await KeepAsync(connection, version, boundaries, summed, result, ct);
        }
        catch (DbException e)
        {
            // Keeping is what makes the next report fast, not what makes this one right: it has its sums.
            logger?.LogWarning(e, "Could not keep {Days} energy day sums; the next report sums them again", summed.Count);
        }
        return result;
    }

    /// <summary>Chains per-day sums: each lamp's days in order, the step between one day's last reading and the next
    /// day's first counted as any other.</summary>
    public static Dictionary<string, CounterSteps> Chain(IEnumerable<List<CounterDay>> days)
    {
        var lamps = new Dictionary<string, (CounterDay Last, int Readings, long First, long Rise, int Drops)>(StringComparer.Ordinal);
        foreach (var day in days)
        {
            foreach (var d in day)
            {
                if (!lamps.TryGetValue(d.Node, out var lamp))
                {
                    lamps[d.Node] = (d, d.Readings, d.First, d.RiseWh, d.Drops);
                    continue;
                }
                var step = d.FirstWh - lamp.Last.LastWh;
                lamps[d.Node] = (d, lamp.Readings + d.Readings, lamp.First, lamp.Rise + d.RiseWh + Math.Max(0, step), lamp.Drops + d.Drops + (step < 0 ? 1 : 0));
            }
        }
        return lamps.ToDictionary(l => l.Key, l => new CounterSteps(l.Value.Readings, l.Value.First, l.Value.Last.Last, l.Value.Rise, l.Value.Drops), StringComparer.Ordinal);
    }

    /// <summary>
    /// Called by the ingest stores inside their transaction with the street light readings they stored: those older than
    /// <see cref="Late"/> drop the kept days they fall in and move the version (before the drops, so a concurrent
    /// <see cref="DaysAsync"/> keeping days waits for this transaction, or this one for it: the version row is the one
    /// lock both take first). Costs nothing when no reading is late, as in steady operation.
    /// </summary>
    public static async Task InvalidateAsync(DbConnection connection, DbTransaction transaction, IEnumerable<IngestRecord> stored, long storedAt, CancellationToken ct)
    {
        long? min = null, max = null;
        foreach (var record in stored)
        {
            if (!IsLate(record, storedAt)) continue;
            var ts = record.Telemetry!.Ts;
            min = min is null || ts < min ? ts : min;
            max = max is null || ts > max ? ts : max;
        }
        if (min is null) return;
        // A day is at most 25 hours (a DST change): a day holding ts starts after ts - 25 h.
        await using var drop = connection.Command(transaction, DropSql(" WHERE day_start > @earliest AND day_start <= @max AND day_end > @min"),
            ("@min", min.Value), ("@max", max!.Value), ("@earliest", min.Value - 25 * 3600));
        await drop.ExecuteNonQueryAsync(ct);
    }

    /// <summary>A street light reading with a counter, older than <see cref="Late"/> when stored at <paramref name="storedAt"/>:
    /// it may fall in a kept day.</summary>
    public static bool IsLate(IngestRecord record, long storedAt) =>
        record.Telemetry is { Type: "streetlight", EnergyWh: not null, Ts: var ts } && ts < storedAt - (long)Late.TotalSeconds;

    /// <summary>Drops every kept sum and moves the version: for whatever writes <c>telemetry</c> around the ingest stores (a
    /// bulk import), which cannot say which days it touched.</summary>
    public async Task ForgetAsync(CancellationToken ct = default)
    {
        await using var connection = await connections.OpenAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using (var drop = connection.Command(transaction, DropSql("")))
        {
            await drop.ExecuteNonQueryAsync(ct);
        }
        await transaction.CommitAsync(ct);
    }

    /// <summary>One round trip: the version first (the lock both sides take first), then the kept days' spans and rows.</summary>
    private static string DropSql(string where) =>
        $"UPDATE energy_day_version SET version = version + 1; DELETE FROM energy_day_spans{where}; DELETE FROM energy_days{where}";

    private static async Task<long> VersionAsync(DbConnection connection, DbTransaction transaction, bool forUpdate, CancellationToken ct)
    {
        await using var read = connection.Command(transaction, "SELECT version FROM energy_day_version" + (forUpdate ? " FOR UPDATE" : ""));
        return Convert.ToInt64(await read.ExecuteScalarAsync(ct));
    }

    /// <summary>The sums of days <paramref name="first"/> to <paramref name="end"/> (exclusive) of the window.</summary>
    private static async Task<List<CounterDay>[]> SumAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<long> boundaries, int first, int end, CancellationToken ct)
    {
        var days = new List<CounterDay>[end - first];
        for (var i = 0; i < days.Length; i++) days[i] = new List<CounterDay>();
        var bounds = Enumerable.Range(0, days.Length + 1).Select(i => ("@b" + i, (object?)boundaries[first + i])).ToArray();
        await using var sum = connection.Command(transaction, DaysSql(days.Length), bounds);
        await using var reader = await sum.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            days[Convert.ToInt32(reader.GetValue(1))].Add(new CounterDay(reader.GetString(0), Convert.ToInt32(reader.GetValue(2)), reader.GetInt64(3), reader.GetInt64(4),
                reader.GetInt64(5), reader.GetInt64(6), Convert.ToInt64(reader.GetValue(7)), Convert.ToInt32(reader.GetValue(8))));
        }
        return days;
    }

    private static CounterDay Read(DbDataReader r) =>
        new(r.GetString(0), Convert.ToInt32(r.GetValue(3)), r.GetInt64(4), r.GetInt64(5), r.GetInt64(6), r.GetInt64(7), r.GetInt64(8), Convert.ToInt32(r.GetValue(9)));

    /// <summary>Keeps the settled days summed from a snapshot taken at <paramref name="version"/>, unless a late reading
    /// moved the version since (then they are summed again next time).</summary>
    private async Task KeepAsync(DbConnection connection, long version, IReadOnlyList<long> boundaries, List<int> summed, List<CounterDay>[] days, CancellationToken ct)
    {
        await using var transaction = await connection.BeginTransactionAsync(ct); // SQLite: BEGIN IMMEDIATE, the one writer
        if (await VersionAsync(connection, transaction, forUpdate: connections.Kind == StorageKind.Postgres, ct) != version) return;
        foreach (var i in summed)
        {
            // Rows left by a span of other bounds starting at the same instant go first.
            await using (var drop = connection.Command(transaction, "DELETE FROM energy_days WHERE day_start = @start", ("@start", boundaries[i])))
            {
                await drop.ExecuteNonQueryAsync(ct);
            }
            await using (var span = connection.Command(transaction,
                "INSERT INTO energy_day_spans (day_start, day_end) VALUES (@start, @end) ON CONFLICT (day_start) DO UPDATE SET day_end = excluded.day_end",
                ("@start", boundaries[i]), ("@end", boundaries[i + 1])))
            {
                await span.ExecuteNonQueryAsync(ct);
            }
        }
        if (connection is NpgsqlConnection postgres)
        {
            await using var copy = await postgres.BeginBinaryImportAsync($"COPY energy_days ({Columns}) FROM STDIN (FORMAT BINARY)", ct);
            foreach (var i in summed)
            {
                foreach (var d in days[i])
                {
                    await copy.StartRowAsync(ct);
                    await copy.WriteAsync(d.Node, NpgsqlDbType.Text, ct);
                    foreach (var value in new[] { boundaries[i], boundaries[i + 1], d.Readings, d.First, d.Last, d.FirstWh, d.LastWh, d.RiseWh, d.Drops })
                        await copy.WriteAsync(value, NpgsqlDbType.Bigint, ct);
                }
            }
            await copy.CompleteAsync(ct);
        }
        else
        {
            using var insert = new SqliteRowStatement(connection, $"INSERT INTO energy_days ({Columns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
            foreach (var i in summed)
            {
                foreach (var d in days[i])
                {
                    insert.Add(d.Node).Add(boundaries[i]).Add(boundaries[i + 1]).Add(d.Readings).Add(d.First).Add(d.Last).Add(d.FirstWh).Add(d.LastWh)
                        .Add(d.RiseWh).Add(d.Drops).Execute();
                }
            }
        }
        await transaction.CommitAsync(ct);
    }
}
