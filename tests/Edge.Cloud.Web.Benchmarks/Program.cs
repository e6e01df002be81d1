using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Edge.Cloud.Alarms;
using Edge.Cloud.Inventory;
using Edge.Cloud.Storage;
using Edge.Cloud.Web.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Edge.Cloud.Web.Benchmarks;

/// <summary>
/// Server time of the console's heaviest pages with a large fleet: the real cloud with its console on SQLite (a temp
/// folder) or PostgreSQL, <c>nodes</c> street lights (default 10,000) in 20 zones and 100 groups (rated 40, 60 or 100 W, a
/// quarter with none), one light with 30 days of 5-minute telemetry (8,640 rows) sent through the batch API, and every
/// other light with 30 days of hourly telemetry (720 rows each, <see cref="TelemetrySeeder"/>). Each page — map, nodes,
/// a node's 24 h and 30 d, and the energy report of the month most of those days fall in — is fetched over loopback
/// HTTP by a signed-in client, <c>--rounds</c> times (default 5) after one warm-up; prints median [min–max] per page,
/// the database's size, and writes the raw timings as JSON. Not a test: numbers depend on the machine (its load is recorded).
///
/// Usage: dotnet run -c Release --project tests/Edge.Cloud.Web.Benchmarks -- [nodes] [--rounds N] [--out file] [--drop-index name];
/// with EDGE_BENCH_POSTGRES (an Npgsql connection string of a server where the user may create databases) on PostgreSQL.
/// <c>--drop-index</c> drops an index after the migrations, to measure a page without it (before/after in docs/console.md).
/// </summary>
public static class Program
{
    private const string Gateway = "gw-bench";
    private const string Token = "token-of-gw-bench-at-least-32-characters-long";
    private const string Site = "bench";

    public static async Task<int> Main(string[] args)
    {
        var positional = args.TakeWhile(a => !a.StartsWith("--", StringComparison.Ordinal)).ToArray();
        var count = positional.Length > 0 ? int.Parse(positional[0], CultureInfo.InvariantCulture) : 10_000;
        var rounds = Math.Max(1, int.Parse(Edge.Benchmarks.Spread.Option(args, "--rounds") ?? "5", CultureInfo.InvariantCulture));
        var before = Edge.Benchmarks.Spread.Machine(Edge.Benchmarks.Spread.Option(args, "--load"));
        Console.WriteLine($"# {before["utc"]}, {before["cores"]} cores ({before["cpu"]}), {before["os"]}, load {before["loadavg"]}; {before["note"]}");
        // PostgreSQL from EDGE_BENCH_POSTGRES: a fresh database is made for the run and dropped afterwards.
        var postgres = Environment.GetEnvironmentVariable("EDGE_BENCH_POSTGRES");
        var database = "edge_console_bench_" + Guid.NewGuid().ToString("N")[..8];
        if (postgres is not null) await ExecAsync(postgres, $"CREATE DATABASE {database}");
        var provider = postgres is null ? "SQLite" : "PostgreSQL";
        var folder = Path.Combine(Path.GetTempPath(), "edge-console-bench-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        try
        {
            await using var app = ConsoleHost.Create([], builder =>
            {
                builder.WebHost.UseUrls("http://127.0.0.1:0");
                builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
                {
                    ["Storage:Provider"] = postgres is null ? "Sqlite" : "Postgres", ["Storage:DataDirectory"] = folder, ["Logging:LogLevel:Default"] = "Warning",
                    ["Storage:PostgresConnectionString"] = postgres is null ? null : new Npgsql.NpgsqlConnectionStringBuilder(postgres) { Database = database }.ConnectionString,
                    ["Gateways:Seed:0:Id"] = Gateway, ["Gateways:Seed:0:Token"] = Token,
                    ["Users:Seed:0:Name"] = "admin", ["Users:Seed:0:Role"] = "admin", ["Users:Seed:0:Password"] = "admin-bench-pass-123",
                });
            });
            await app.StartAsync();
            var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            var seeding = Stopwatch.StartNew();
            var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            if (Edge.Benchmarks.Spread.Option(args, "--drop-index") is { } index)
            {
                await using var connection = await app.Services.GetRequiredService<IStorageConnections>().OpenAsync();
                await using var drop = connection.CreateCommand();
                drop.CommandText = $"DROP INDEX {index}";
                await drop.ExecuteNonQueryAsync();
                Console.WriteLine($"# dropped index {index}");
            }
            await SeedAsync(app, url, count, now);
            Console.WriteLine($"# seeded {count} nodes, {count} latest telemetry rows and 8,640 rows of one node's 30 days in {seeding.Elapsed.TotalSeconds:F0} s");
            seeding.Restart();
            var from = (now - 30 * 86400) / 3600 * 3600;
            var rows = await TelemetrySeeder.SeedAsync(app.Services.GetRequiredService<IStorageConnections>(), Site, Gateway, Enumerable.Range(1, count - 1).Select(Id).ToArray(), i => RatedWatts(i + 1) ?? 60, from, 30 * 24);
            Console.WriteLine($"# seeded {rows:N0} hourly telemetry rows of the other {count - 1} nodes' 30 days in {seeding.Elapsed.TotalSeconds:F0} s");
            // Written around ingestion, so the energy report's kept day sums (EnergyDayKeeper ran at start, on no readings)
            // do not know of these rows: drop them, as a bulk import must.
            await app.Services.GetRequiredService<EnergyDays>().ForgetAsync();
            var size = await SizeAsync(app, folder);
            Console.WriteLine($"# database size {size / (1024 * 1024)} MiB");

            using var client = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = new Uri(url) };
            (await client.PostAsJsonAsync("/api/v1/auth/login", new { name = "admin", password = "admin-bench-pass-123" })).EnsureSuccessStatusCode();
            // The month most of the 30 days fall in (UTC; the site's zone moves its edges by two hours).
            var month = DateTimeOffset.FromUnixTimeSeconds(now - 15 * 86400).ToString("yyyy-MM", CultureInfo.InvariantCulture);
            var pages = new[] { "/map", "/nodes", "/nodes/sl-00000?range=24h", "/nodes/sl-00000?range=30d", $"/nodes/{Id(count / 2)}?range=30d", $"/energy?month={month}" };
            var timings = pages.ToDictionary(p => p, _ => new List<double>());
            // Warm-up (JIT, caches), timed on its own: the energy report's first request for a month sums its days from
            // the readings and keeps them (EnergyDays); the rounds after it read the kept sums.
            var first = new Dictionary<string, double>();
            foreach (var page in pages)
            {
                var watch = Stopwatch.StartNew();
                await GetAsync(client, page);
                first[page] = watch.Elapsed.TotalMilliseconds;
            }
            for (var round = 0; round < rounds; round++)
            {
                foreach (var page in pages)
                {
                    var watch = Stopwatch.StartNew();
                    var bytes = await GetAsync(client, page);
                    timings[page].Add(watch.Elapsed.TotalMilliseconds);
                    if (round == 0) Console.WriteLine($"{page}: {bytes / 1024} KiB");
                }
            }
            Console.WriteLine();
            Console.WriteLine($"server time per page over loopback HTTP (ms, median [min–max] of {rounds} after the first request), {count} nodes, {provider}");
            var summary = new List<object>();
            foreach (var (page, values) in timings)
            {
                var spread = Edge.Benchmarks.Spread.Of(values);
                Console.WriteLine($"{page,-28} {spread.Text("F0"),24} ms   (first request {first[page]:F0} ms)");
                summary.Add(new { page, milliseconds = spread, firstMilliseconds = first[page] });
            }
            var file = Edge.Benchmarks.Spread.Write("console-pages", new
            {
                what = "console page server time over loopback HTTP, signed in as admin", provider, nodes = count, rounds, telemetryRows = rows + count + 8640,
                databaseBytes = size, droppedIndex = Edge.Benchmarks.Spread.Option(args, "--drop-index"),
                machineBefore = before, machineAfter = Edge.Benchmarks.Spread.Machine(null), summary, raw = timings,
            }, Edge.Benchmarks.Spread.Option(args, "--out"));
            Console.WriteLine($"raw results: {file}");
            await app.StopAsync();
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            // --keep leaves the SQLite folder for a look at the data (query plans).
            if (!args.Contains("--keep")) Directory.Delete(folder, recursive: true);
            else Console.WriteLine($"# kept {folder}");
            if (postgres is not null)
            {
                Npgsql.NpgsqlConnection.ClearAllPools();
                await ExecAsync(postgres, $"DROP DATABASE IF EXISTS {database}");
            }
        }
        return 0;
    }

    private static async Task ExecAsync(string connectionString, string sql)
    {
        await using var connection = new Npgsql.NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>The database's size on disk: the SQLite files (with the write-ahead log), or PostgreSQL's own count.</summary>
    private static async Task<long> SizeAsync(WebApplication app, string folder)
    {
        var connections = app.Services.GetRequiredService<IStorageConnections>();
        if (connections.Kind != StorageKind.Postgres)
        {
            // Fold the write-ahead log into the file first, so the size is the database's.
            await using var connection = await connections.OpenAsync();
            await using var checkpoint = connection.CreateCommand();
            checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
            await checkpoint.ExecuteNonQueryAsync();
            return new DirectoryInfo(folder).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);
        }
        await using var pg = await connections.OpenAsync();
        await using var command = pg.CreateCommand();
        command.CommandText = "SELECT pg_database_size(current_database())";
        return Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    private static async Task<long> GetAsync(HttpClient client, string page)
    {
        using var response = await client.GetAsync(page);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadAsByteArrayAsync()).LongLength;
    }

    private static async Task SeedAsync(WebApplication app, string url, int count, long now)
    {
        var inventory = app.Services.GetRequiredService<InventoryService>();
        await inventory.PutSiteAsync("admin", Site, new SiteRequest("Bench town", null));
        for (var z = 0; z < 20; z++) await inventory.PutZoneAsync("admin", $"zone-{z:00}", new ZoneRequest(Site, $"Zone {z}"));
        for (var g = 0; g < 100; g++) await inventory.PutGroupAsync("admin", $"group-{g:000}", new GroupRequest(Site, $"Group {g}"));
        var random = new Random(7);
        for (var i = 0; i < count; i++)
        {
            await inventory.PutNodeAsync("admin", Id(i), new NodeRequest(Site, "streetlight", Gateway, "LED-60W", "1.2.0",
                39.45 + random.NextDouble() * 0.1, 20.20 + random.NextDouble() * 0.15, $"P-{i}", $"zone-{i % 20:00}", $"group-{i % 100:000}", null, null, RatedWatts(i)));
        }
        using var gateway = new HttpClient { BaseAddress = new Uri(url) };
        gateway.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        long seq = 0;
        var records = Enumerable.Range(0, count).Select(i => Telemetry(++seq, Id(i), now - 60, 50, 30.0))
            .Concat(Enumerable.Range(0, 8640).Select(k => Telemetry(++seq, Id(0), now - 30 * 86400 + k * 300, k % 288 < 144 ? 0 : 70, k % 288 < 144 ? 0.5 : 42.0)))
            .ToList();
        foreach (var chunk in records.Chunk(5000))
        {
            var batch = new JsonObject { ["v"] = 1, ["gateway"] = Gateway, ["sentAt"] = now, ["records"] = new JsonArray(chunk.Select(r => (JsonNode)r).ToArray()) };
            using var response = await gateway.PostAsync($"/api/v1/gateways/{Gateway}/batches", new StringContent(batch.ToJsonString(), Encoding.UTF8, "application/json"));
            var body = await response.Content.ReadAsStringAsync();
            if (!response.IsSuccessStatusCode || JsonNode.Parse(body)?["rejected"] is JsonArray { Count: > 0 }) throw new InvalidOperationException("batch refused: " + body[..Math.Min(400, body.Length)]);
        }
        await app.Services.GetRequiredService<RecordFeed>().RunOnceAsync();
    }

    private static string Id(int i) => $"sl-{i:00000}";

    /// <summary>A mixed fleet: 40, 60 and 100 W lamps, and a quarter whose power is not recorded (the report's default).</summary>
    private static double? RatedWatts(int i) => (i % 4) switch { 0 => 40, 1 => 60, 2 => 100, _ => null };

    private static JsonObject Telemetry(long seq, string node, long ts, int level, double watts) => new()
    {
        ["seq"] = seq, ["node"] = node, ["site"] = Site, ["kind"] = "telemetry", ["receivedAt"] = ts,
        ["payload"] = new JsonObject
        {
            ["v"] = 1, ["type"] = "streetlight", ["ts"] = ts, ["boot"] = 1, ["seq"] = seq, ["level"] = level, ["source"] = "schedule",
            ["watts"] = watts, ["volts"] = 230.0, ["energyWh"] = 1000 + seq, ["faults"] = new JsonArray(),
        },
    };
}
