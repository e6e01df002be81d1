using System;
using System.Collections.Generic;
using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading.Tasks;
using Edge.Cloud.Ingestion;
using Edge.Cloud.Storage;
using Edge.Cloud.Storage.Migrations;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NpgsqlTypes;

namespace Edge.Cloud.Benchmarks;

/// <summary>
/// Ingestion events/s into SQLite and PostgreSQL through the real stores (<see cref="SqliteIngestStore"/>,
/// <see cref="PostgresIngestStore"/>: idempotency check, derived rows, node state), next to a raw baseline
/// measured in the same run on the same rows: SQLite plain prepared INSERTs, PostgreSQL binary COPY, into the
/// same tables (records, telemetry, events) without the duplicate check and node state, one transaction per
/// batch like the store. Each path starts from a fresh, migrated database. Prints one JSON line per
/// measurement, then a table.
///
/// Usage: dotnet run -c Release --project tests/Edge.Cloud.Benchmarks -- [records] [batch=500] [--nodes 10000]
/// PostgreSQL from EDGE_BENCH_POSTGRES (or EDGE_TEST_POSTGRES); without either only SQLite runs.
/// <c>-- transit [stopTimes]</c>: the GTFS import benchmark instead (<see cref="TransitImportBenchmark"/>).
/// </summary>
public static class Program
{
    private const string Gateway = "gw-bench-1";

    public static async Task<int> Main(string[] args)
    {
        if (args.FirstOrDefault() == "transit") return await TransitImportBenchmark.RunAsync(args[1..]);
        var positional = args.TakeWhile(a => !a.StartsWith("--", StringComparison.Ordinal)).ToArray();
        var total = positional.Length > 0 ? int.Parse(positional[0], CultureInfo.InvariantCulture) : 100_000;
        var batchSize = positional.Length > 1 ? int.Parse(positional[1], CultureInfo.InvariantCulture) : 500;
        var nodes = int.Parse(Edge.Benchmarks.Spread.Option(args, "--nodes") ?? "10000", CultureInfo.InvariantCulture);
        var rounds = Math.Max(1, int.Parse(Edge.Benchmarks.Spread.Option(args, "--rounds") ?? "5", CultureInfo.InvariantCulture));
        var postgres = Environment.GetEnvironmentVariable("EDGE_BENCH_POSTGRES") ?? Environment.GetEnvironmentVariable("EDGE_TEST_POSTGRES");
        var before = Edge.Benchmarks.Spread.Machine(Edge.Benchmarks.Spread.Option(args, "--load"));
        Console.WriteLine($"# {before["utc"]}, {before["cores"]} cores ({before["cpu"]}), {before["os"]}, load {before["loadavg"]}; {before["note"]}");
        Console.WriteLine($"# {total} records from {nodes} nodes in batches of {batchSize}, store only (no HTTP); {rounds} rounds, store/raw order alternating");
        var batches = MakeBatches(total, batchSize, nodes);
        var results = new List<Result>();

        await RunSqliteAsync(MakeBatches(batchSize, batchSize, nodes), new List<Result>(), 0); // warm-up (JIT)
        if (postgres is null) Console.Error.WriteLine("EDGE_BENCH_POSTGRES (or EDGE_TEST_POSTGRES) is not set: PostgreSQL skipped.");
        else await RunPostgresAsync(postgres, MakeBatches(batchSize, batchSize, nodes), new List<Result>(), 0);
        for (var round = 0; round < rounds; round++)
        {
            // Alternate the order of the store and the raw baseline, so a drift in the machine's load favours neither.
            await RunSqliteAsync(batches, results, round);
            if (postgres is not null) await RunPostgresAsync(postgres, batches, results, round);
            Console.WriteLine($"round {round + 1} done");
        }

        Console.WriteLine();
        Console.WriteLine("events/s, median [min–max] over the rounds; 'vs raw' is the per-round ratio to the raw baseline of the same provider");
        var summary = new List<object>();
        foreach (var group in results.GroupBy(r => (r.Provider, r.Path)))
        {
            var rate = Edge.Benchmarks.Spread.Of(group.Select(r => r.Records / r.Seconds));
            var raws = results.Where(x => x.Provider == group.Key.Provider && x.Path.StartsWith("raw", StringComparison.Ordinal)).ToList();
            var ratio = Edge.Benchmarks.Spread.Of(group.Zip(raws, (r, raw) => (r.Records / r.Seconds) / (raw.Records / raw.Seconds)));
            Console.WriteLine($"{group.Key.Provider,-10} {group.Key.Path,-28} {rate.Text("F0"),24} events/s   vs raw {ratio.Text("P0")}");
            summary.Add(new { provider = group.Key.Provider, path = group.Key.Path, eventsPerSecond = rate, vsRaw = ratio });
        }
        var file = Edge.Benchmarks.Spread.Write("cloud-ingest", new
        {
            what = "ingestion into the store only (SqliteIngestStore / PostgresIngestStore.StoreAsync, no HTTP) vs a raw baseline on the same rows",
            records = total, batch = batchSize, nodes, rounds, machineBefore = before, machineAfter = Edge.Benchmarks.Spread.Machine(null), summary,
            raw = results,
        }, Edge.Benchmarks.Spread.Option(args, "--out"));
        Console.WriteLine($"raw results: {file}");
        return 0;
    }

    private sealed record Result(string Provider, string Path, int Records, double Seconds);

    /// <summary>A region's mix from <paramref name="nodes"/> nodes: 90 % telemetry (mostly street lights, some water
    /// gauges), 5 % events, 5 % states.</summary>
    private static List<IngestRecord[]> MakeBatches(int total, int batchSize, int nodes)
    {
        var records = new List<IngestRecord>(total);
        for (var seq = 1; seq <= total; seq++)
        {
            var node = seq % nodes;
            var ts = 1767304800L + seq;
            string kind, payload, nodeId;
            switch (seq % 20)
            {
                case 0:
                    kind = "event"; nodeId = $"sl-{node:D5}";
                    payload = $"{{\"v\":1,\"kind\":\"lamp.fault\",\"ts\":{ts},\"boot\":3,\"seq\":{seq},\"fault\":\"lamp-failure\",\"active\":true,\"level\":60,\"watts\":0.8,\"volts\":229.7}}";
                    break;
                case 1:
                    kind = "state"; nodeId = $"sl-{node:D5}";
                    payload = $"{{\"v\":1,\"status\":\"online\",\"ts\":{ts},\"type\":\"streetlight\",\"fw\":\"1.2.0\",\"configVersion\":{seq % 50},\"boot\":3,\"uptimeS\":600}}";
                    break;
                case 2:
                    kind = "telemetry"; nodeId = $"wl-{node / 20:D5}";
                    payload = $"{{\"v\":1,\"type\":\"waterlevel\",\"ts\":{ts},\"boot\":5,\"seq\":{seq},\"levelMm\":{700 + seq % 300},\"distanceMm\":2458,\"state\":\"watch\",\"rateMmH\":120,\"batteryV\":3.27,\"samples\":7}}";
                    break;
                default:
                    kind = "telemetry"; nodeId = $"sl-{node:D5}";
                    payload = $"{{\"v\":1,\"type\":\"streetlight\",\"ts\":{ts},\"boot\":17,\"seq\":{seq},\"level\":{seq % 101},\"source\":\"schedule\",\"watts\":38.4,\"volts\":230.1,\"energyWh\":412873,\"burnHours\":10233.4,\"switches\":2871,\"faults\":[]}}";
                    break;
            }
            var json = $"{{\"seq\":{seq},\"node\":\"{nodeId}\",\"site\":\"igoumenitsa\",\"kind\":\"{kind}\",\"receivedAt\":{ts},\"payload\":{payload}}}";
            using var document = JsonDocument.Parse(json);
            var check = RecordValidator.Validate(Gateway, document.RootElement);
            records.Add(check.Record ?? throw new InvalidOperationException(check.Error));
        }
        return records.Chunk(batchSize).ToList();
    }

    /// <param name="round">even: the store first, then the raw baseline; odd: the other way round</param>
    private static async Task RunSqliteAsync(List<IngestRecord[]> batches, List<Result> results, int round)
    {
        var count = batches.Sum(b => b.Length);
        var directory = Path.Combine(Path.GetTempPath(), "edge-bench-" + Guid.NewGuid().ToString("N"));
        try
        {
            async Task Store()
            {
                var store = await FreshSqliteAsync(Path.Combine(directory, "store.db"));
                var time = Stopwatch.StartNew();
                foreach (var batch in batches) await new SqliteIngestStore(store, TimeProvider.System).StoreAsync(batch);
                results.Add(new Result("sqlite", "store (new records)", count, time.Elapsed.TotalSeconds));
                time.Restart();
                foreach (var batch in batches) await new SqliteIngestStore(store, TimeProvider.System).StoreAsync(batch);
                results.Add(new Result("sqlite", "store (retry: duplicates)", count, time.Elapsed.TotalSeconds));
            }
            async Task Raw()
            {
                var raw = await FreshSqliteAsync(Path.Combine(directory, "raw.db"));
                var time = Stopwatch.StartNew();
                await RawSqliteAsync(raw, batches);
                results.Add(new Result("sqlite", "raw prepared INSERT, tx/batch", count, time.Elapsed.TotalSeconds));
            }
            if (round % 2 == 0) { await Store(); await Raw(); }
            else { await Raw(); await Store(); }
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    internal static async Task<SqliteConnections> FreshSqliteAsync(string file, params IMigrationSource[] schemas)
    {
        var connections = new SqliteConnections(file);
        await new Migrator(connections, schemas.Length > 0 ? schemas : [new IngestSchema(), new IntegritySchema()], NullLogger<Migrator>.Instance).MigrateAsync();
        return connections;
    }

    /// <summary>Plain prepared INSERTs, one transaction per batch (like the store).</summary>
    private static async Task RawSqliteAsync(SqliteConnections connections, List<IngestRecord[]> batches)
    {
        await using var connection = await connections.OpenAsync();
        foreach (var batch in batches) await RawSqliteBatchAsync(connection, batch);
    }

    private static async Task RawSqliteBatchAsync(DbConnection connection, IngestRecord[] batch)
    {
        await using var transaction = await connection.BeginTransactionAsync();
        using var records = Command(connection, transaction, "INSERT INTO records (gateway, seq, node, site, kind, received_at, stored_at, payload) VALUES (@a, @b, @c, @d, @e, @f, @g, @h)", 8);
        using var telemetry = Command(connection, transaction, "INSERT INTO telemetry (site, node, ts, type, gateway, seq, level, watts, volts, energy_wh, level_mm, flood_state, battery_v, payload) VALUES (@a, @b, @c, @d, @e, @f, @g, @h, @i, @j, @k, @l, @m, @n)", 14);
        using var events = Command(connection, transaction, "INSERT INTO events (gateway, seq, site, node, ts, record_kind, kind, command_id, payload) VALUES (@a, @b, @c, @d, @e, @f, @g, @h, @i)", 9);
        foreach (var r in batch)
        {
            Bind(records, r.Gateway, r.Seq, r.Node, r.Site, r.Kind, r.ReceivedAt, r.ReceivedAt, r.PayloadJson);
            records.ExecuteNonQuery();
            if (r.Telemetry is { } t)
            {
                Bind(telemetry, r.Site, r.Node, t.Ts, t.Type, r.Gateway, r.Seq, t.Level, t.Watts, t.Volts, t.EnergyWh, t.LevelMm, t.FloodState, t.BatteryV, r.PayloadJson);
                telemetry.ExecuteNonQuery();
            }
            if (r.Event is { } e)
            {
                Bind(events, r.Gateway, r.Seq, r.Site, r.Node, e.Ts, r.Kind, e.Kind, e.CommandId, r.PayloadJson);
                events.ExecuteNonQuery();
            }
        }
        await transaction.CommitAsync();
    }

    private static DbCommand Command(DbConnection connection, DbTransaction transaction, string sql, int parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        for (var i = 0; i < parameters; i++)
        {
            var p = command.CreateParameter();
            p.ParameterName = "@" + (char)('a' + i);
            command.Parameters.Add(p);
        }
        command.Prepare();
        return command;
    }

    private static void Bind(DbCommand command, params object?[] values)
    {
        for (var i = 0; i < values.Length; i++) command.Parameters[i].Value = values[i] ?? DBNull.Value;
    }

    /// <param name="round">even: the store first, then the raw baseline; odd: the other way round</param>
    private static async Task RunPostgresAsync(string server, List<IngestRecord[]> batches, List<Result> results, int round)
    {
        var count = batches.Sum(b => b.Length);
        var store = await FreshPostgresAsync(server);
        var raw = await FreshPostgresAsync(server);
        try
        {
            async Task Store()
            {
                var ingest = new PostgresIngestStore(store.Connections, TimeProvider.System);
                var time = Stopwatch.StartNew();
                foreach (var batch in batches) await ingest.StoreAsync(batch);
                results.Add(new Result("postgres", "store (new records)", count, time.Elapsed.TotalSeconds));
                time.Restart();
                foreach (var batch in batches) await ingest.StoreAsync(batch);
                results.Add(new Result("postgres", "store (retry: duplicates)", count, time.Elapsed.TotalSeconds));
            }
            async Task Raw()
            {
                // The baseline needs the same partitions; creating them is not part of what it measures.
                await new PostgresIngestStore(raw.Connections, TimeProvider.System).StoreAsync([batches[0].First(r => r.Telemetry is not null) with { Gateway = "warm-up" }]);
                var time = Stopwatch.StartNew();
                await RawCopyAsync(raw.Connections, batches);
                results.Add(new Result("postgres", "raw binary COPY", count, time.Elapsed.TotalSeconds));
            }
            if (round % 2 == 0) { await Store(); await Raw(); }
            else { await Raw(); await Store(); }
        }
        finally
        {
            await DropAsync(server, store.Schema);
            await DropAsync(server, raw.Schema);
        }
    }

    internal static async Task<(PostgresConnections Connections, string Schema)> FreshPostgresAsync(string server, params IMigrationSource[] schemas)
    {
        var schema = "bench_" + Guid.NewGuid().ToString("N");
        await using (var connection = new NpgsqlConnection(server))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE SCHEMA {schema}", connection);
            await command.ExecuteNonQueryAsync();
        }
        var connections = new PostgresConnections(new NpgsqlConnectionStringBuilder(server) { SearchPath = schema }.ToString());
        await new Migrator(connections, schemas.Length > 0 ? schemas : [new IngestSchema(), new IntegritySchema()], NullLogger<Migrator>.Instance).MigrateAsync();
        return (connections, schema);
    }

    internal static async Task DropAsync(string server, string schema)
    {
        await using var connection = new NpgsqlConnection(server);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP SCHEMA {schema} CASCADE", connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>One binary COPY per table per batch, each batch its own transaction (like the store).</summary>
    private static async Task RawCopyAsync(PostgresConnections connections, List<IngestRecord[]> batches)
    {
        await using var connection = await connections.DataSource.OpenConnectionAsync();
        foreach (var batch in batches)
        {
            await using var transaction = await connection.BeginTransactionAsync();
            await using (var copy = await connection.BeginBinaryImportAsync("COPY records (gateway, seq, node, site, kind, received_at, stored_at, payload) FROM STDIN (FORMAT BINARY)"))
            {
                foreach (var r in batch)
                {
                    await copy.StartRowAsync();
                    await copy.WriteAsync(r.Gateway, NpgsqlDbType.Text);
                    await copy.WriteAsync(r.Seq, NpgsqlDbType.Bigint);
                    await copy.WriteAsync(r.Node!, NpgsqlDbType.Text);
                    await copy.WriteAsync(r.Site, NpgsqlDbType.Text);
                    await copy.WriteAsync(r.Kind, NpgsqlDbType.Text);
                    await copy.WriteAsync(r.ReceivedAt, NpgsqlDbType.Bigint);
                    await copy.WriteAsync(r.ReceivedAt, NpgsqlDbType.Bigint);
                    await copy.WriteAsync(r.PayloadJson, NpgsqlDbType.Jsonb);
                }
                await copy.CompleteAsync();
            }
            await using (var copy = await connection.BeginBinaryImportAsync("COPY telemetry (site, node, ts, type, gateway, seq, level, watts, volts, energy_wh, level_mm, flood_state, battery_v, payload) FROM STDIN (FORMAT BINARY)"))
            {
                foreach (var r in batch)
                {
                    if (r.Telemetry is not { } t) continue;
                    await copy.StartRowAsync();
                    await copy.WriteAsync(r.Site, NpgsqlDbType.Text);
                    await copy.WriteAsync(r.Node!, NpgsqlDbType.Text);
                    await copy.WriteAsync(t.Ts, NpgsqlDbType.Bigint);
                    await copy.WriteAsync(t.Type, NpgsqlDbType.Text);
                    await copy.WriteAsync(r.Gateway, NpgsqlDbType.Text);
                    await copy.WriteAsync(r.Seq, NpgsqlDbType.Bigint);
                    await WriteAsync(copy, t.Level, NpgsqlDbType.Integer);
                    await WriteAsync(copy, t.Watts, NpgsqlDbType.Double);
                    await WriteAsync(copy, t.Volts, NpgsqlDbType.Double);
                    await WriteAsync(copy, t.EnergyWh, NpgsqlDbType.Bigint);
                    await WriteAsync(copy, t.LevelMm, NpgsqlDbType.Integer);
                    if (t.FloodState is null) await copy.WriteNullAsync(); else await copy.WriteAsync(t.FloodState, NpgsqlDbType.Text);
                    await WriteAsync(copy, t.BatteryV, NpgsqlDbType.Double);
                    await copy.WriteAsync(r.PayloadJson, NpgsqlDbType.Jsonb);
                }
                await copy.CompleteAsync();
            }
            await using (var copy = await connection.BeginBinaryImportAsync("COPY events (gateway, seq, site, node, ts, record_kind, kind, payload) FROM STDIN (FORMAT BINARY)"))
            {
                foreach (var r in batch)
                {
                    if (r.Event is not { } e) continue;
                    await copy.StartRowAsync();
                    await copy.WriteAsync(r.Gateway, NpgsqlDbType.Text);
                    await copy.WriteAsync(r.Seq, NpgsqlDbType.Bigint);
                    await copy.WriteAsync(r.Site, NpgsqlDbType.Text);
                    await copy.WriteAsync(r.Node!, NpgsqlDbType.Text);
                    await copy.WriteAsync(e.Ts, NpgsqlDbType.Bigint);
                    await copy.WriteAsync(r.Kind, NpgsqlDbType.Text);
                    await copy.WriteAsync(e.Kind, NpgsqlDbType.Text);
                    await copy.WriteAsync(r.PayloadJson, NpgsqlDbType.Jsonb);
                }
                await copy.CompleteAsync();
            }
            await transaction.CommitAsync();
        }
    }

    private static Task WriteAsync<T>(NpgsqlBinaryImporter copy, T? value, NpgsqlDbType type) where T : struct =>
        value is { } v ? copy.WriteAsync(v, type) : copy.WriteNullAsync();
}
