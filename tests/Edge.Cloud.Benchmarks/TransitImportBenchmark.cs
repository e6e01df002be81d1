using System;
using System.Collections.Generic;
using System.Data.Common;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using Edge.Cloud.Domain;
using Edge.Cloud.Storage;
using Edge.Cloud.Transit;
using Edge.Cloud.Transit.Gtfs;
using Edge.Cloud.Transit.Realtime;
using Microsoft.Data.Sqlite;
using Npgsql;
using NpgsqlTypes;

namespace Edge.Cloud.Benchmarks;

/// <summary>
/// GTFS import of a large synthetic feed (default 1,000,000 stop_times: 40,000 trips of 25 stops over 2,000 stops and
/// 100 routes): the read and validation (GtfsZip + GtfsReader, CsvHelper) and the store (GtfsStore.SaveAsync: every
/// table, the switch, in one transaction) into a fresh SQLite and PostgreSQL database, next to a raw baseline measured
/// in the same run on the same stop_times rows: SQLite prepared INSERTs in one transaction, PostgreSQL binary COPY.
/// Peak memory is the process's peak working set after each read (the read holds the whole feed in memory). Then
/// the time to take a 2,000-trip TripUpdates feed and to build a stop's content with it (<see cref="RealtimeAsync"/>).
///
/// Usage: dotnet run -c Release --project tests/Edge.Cloud.Benchmarks -- transit [stopTimes] [--rounds R] [--realtime-only] [--load "…"] [--out file]
/// </summary>
public static class TransitImportBenchmark
{
    private const int StopsPerTrip = 25, Stops = 2000, Routes = 100;

    private sealed record Result(string Provider, string Path, int Rows, double Seconds);

    public static async Task<int> RunAsync(string[] args)
    {
        var stopTimes = args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal) ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1_000_000;
        var rounds = Math.Max(1, int.Parse(Edge.Benchmarks.Spread.Option(args, "--rounds") ?? "3", CultureInfo.InvariantCulture));
        var postgres = Environment.GetEnvironmentVariable("EDGE_BENCH_POSTGRES") ?? Environment.GetEnvironmentVariable("EDGE_TEST_POSTGRES");
        var before = Edge.Benchmarks.Spread.Machine(Edge.Benchmarks.Spread.Option(args, "--load"));
        Console.WriteLine($"# {before["utc"]}, {before["cores"]} cores ({before["cpu"]}), {before["os"]}, load {before["loadavg"]}; {before["note"]}");
        var zipPath = Path.Combine(Path.GetTempPath(), "edge-bench-gtfs-" + Guid.NewGuid().ToString("N") + ".zip");
        var limits = new GtfsLimits { MaxZipBytes = long.MaxValue, MaxUncompressedBytes = long.MaxValue };
        try
        {
            WriteFeed(zipPath, stopTimes);
            Console.WriteLine($"# synthetic feed: {stopTimes} stop_times ({stopTimes / StopsPerTrip} trips), zip {new FileInfo(zipPath).Length / 1024 / 1024} MiB; {rounds} rounds");
            if (postgres is null) Console.Error.WriteLine("EDGE_BENCH_POSTGRES (or EDGE_TEST_POSTGRES) is not set: PostgreSQL skipped.");
            var results = new List<Result>();
            var peaks = new List<long>();
            for (var round = 0; round < (args.Contains("--realtime-only") ? 0 : rounds); round++)
            {
                foreach (var provider in postgres is null ? ["sqlite"] : new[] { "sqlite", "postgres" })
                {
                    var read = Stopwatch.StartNew();
                    GtfsFeed feed;
                    await using (var zip = File.OpenRead(zipPath))
                    using (var archive = GtfsZip.Open(zip, limits)) feed = GtfsReader.Read(archive);
                    results.Add(new Result(provider, "read + validate", feed.StopTimes.Count, read.Elapsed.TotalSeconds));
                    peaks.Add(Process.GetCurrentProcess().PeakWorkingSet64);
                    // Alternate the store and the raw baseline, so a drift in the machine's load favours neither.
                    var order = round % 2 == 0 ? new[] { "store", "raw" } : ["raw", "store"];
                    foreach (var path in order)
                    {
                        if (provider == "sqlite") results.Add(await SqliteAsync(path, feed));
                        else results.Add(await PostgresAsync(postgres!, path, feed));
                    }
                    GC.Collect();
                }
                Console.WriteLine($"round {round + 1} done");
            }

            Console.WriteLine();
            Console.WriteLine("stop_times/s, median [min–max] over the rounds; 'vs raw' is the per-round ratio of the store to the raw baseline");
            var summary = new List<object>();
            foreach (var group in results.GroupBy(r => (r.Provider, r.Path)))
            {
                var seconds = Edge.Benchmarks.Spread.Of(group.Select(r => r.Seconds));
                var rate = Edge.Benchmarks.Spread.Of(group.Select(r => r.Rows / r.Seconds));
                var raws = results.Where(x => x.Provider == group.Key.Provider && x.Path.StartsWith("raw", StringComparison.Ordinal)).ToList();
                var ratio = Edge.Benchmarks.Spread.Of(group.Zip(raws, (r, raw) => (r.Rows / r.Seconds) / (raw.Rows / raw.Seconds)));
                Console.WriteLine($"{group.Key.Provider,-9} {group.Key.Path,-34} {seconds.Text("F1"),20} s {rate.Text("F0"),26} rows/s   vs raw {ratio.Text("P0")}");
                summary.Add(new { provider = group.Key.Provider, path = group.Key.Path, seconds, rowsPerSecond = rate, vsRaw = ratio });
            }
            if (peaks.Count > 0) Console.WriteLine($"peak working set after the read: {peaks.Max() / 1024 / 1024} MiB");
            var realtime = await RealtimeAsync(zipPath, limits, rounds);
            var file = Edge.Benchmarks.Spread.Write("transit-import", new
            {
                what = "GTFS import of a synthetic feed: read + validate (CsvHelper), store (GtfsStore.SaveAsync, all tables, one transaction) vs raw stop_times (SQLite prepared INSERT / PostgreSQL binary COPY)",
                stopTimes, rounds, peakWorkingSetBytes = peaks.DefaultIfEmpty().Max(), realtime, machineBefore = before, machineAfter = Edge.Benchmarks.Spread.Machine(null), summary, raw = results,
            }, Edge.Benchmarks.Spread.Option(args, "--out"));
            Console.WriteLine($"raw results: {file}");
            return 0;
        }
        finally
        {
            File.Delete(zipPath);
        }
    }

    private static async Task<Result> SqliteAsync(string path, GtfsFeed feed)
    {
        var directory = Path.Combine(Path.GetTempPath(), "edge-bench-" + Guid.NewGuid().ToString("N"));
        try
        {
            var connections = await Program.FreshSqliteAsync(Path.Combine(directory, "transit.db"), new TransitSchema());
            var time = Stopwatch.StartNew();
            if (path == "store") await StoreAsync(connections, feed);
            else
            {
                await using var connection = (SqliteConnection)await connections.OpenAsync();
                await using var transaction = connection.BeginTransaction();
                await using var command = connection.CreateCommand();
                command.Transaction = transaction;
                command.CommandText = "INSERT INTO transit_stop_times (feed, trip_id, stop_sequence, stop_id, arrival, departure, headsign, pickup_type, is_last) VALUES (1, $t, $q, $s, $a, $d, NULL, 0, 0)";
                var p = new[] { "$t", "$q", "$s", "$a", "$d" }.Select(n => command.Parameters.Add(n, SqliteType.Text)).ToArray();
                command.Prepare();
                foreach (var s in feed.StopTimes)
                {
                    p[0].Value = s.TripId; p[1].Value = s.Sequence; p[2].Value = s.StopId; p[3].Value = (object?)s.Arrival ?? DBNull.Value; p[4].Value = (object?)s.Departure ?? DBNull.Value;
                    await command.ExecuteNonQueryAsync();
                }
                await transaction.CommitAsync();
            }
            var result = new Result("sqlite", path == "store" ? "store (GtfsStore.SaveAsync)" : "raw stop_times: prepared INSERT, 1 tx", feed.StopTimes.Count, time.Elapsed.TotalSeconds);
            SqliteConnection.ClearAllPools();
            return result;
        }
        finally
        {
            try { Directory.Delete(directory, true); } catch (IOException) { }
        }
    }

    private static async Task<Result> PostgresAsync(string server, string path, GtfsFeed feed)
    {
        var (connections, schema) = await Program.FreshPostgresAsync(server, new TransitSchema());
        try
        {
            var time = Stopwatch.StartNew();
            if (path == "store") await StoreAsync(connections, feed);
            else
            {
                await using var connection = (NpgsqlConnection)await connections.OpenAsync();
                await using var transaction = await connection.BeginTransactionAsync();
                await using (var copy = await connection.BeginBinaryImportAsync(
                                 "COPY transit_stop_times (feed, trip_id, stop_sequence, stop_id, arrival, departure, headsign, pickup_type, is_last) FROM STDIN (FORMAT BINARY)"))
                {
                    foreach (var s in feed.StopTimes)
                    {
                        await copy.StartRowAsync();
                        await copy.WriteAsync(1L, NpgsqlDbType.Bigint);
                        await copy.WriteAsync(s.TripId, NpgsqlDbType.Text);
                        await copy.WriteAsync(s.Sequence, NpgsqlDbType.Integer);
                        await copy.WriteAsync(s.StopId, NpgsqlDbType.Text);
                        if (s.Arrival is { } a) await copy.WriteAsync(a, NpgsqlDbType.Integer); else await copy.WriteNullAsync();
                        if (s.Departure is { } d) await copy.WriteAsync(d, NpgsqlDbType.Integer); else await copy.WriteNullAsync();
                        await copy.WriteNullAsync();
                        await copy.WriteAsync(0, NpgsqlDbType.Integer);
                        await copy.WriteAsync(0, NpgsqlDbType.Integer);
                    }
                    await copy.CompleteAsync();
                }
                await transaction.CommitAsync();
            }
            return new Result("postgres", path == "store" ? "store (GtfsStore.SaveAsync)" : "raw stop_times: binary COPY, 1 tx", feed.StopTimes.Count, time.Elapsed.TotalSeconds);
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await Program.DropAsync(server, schema);
        }
    }

    /// <summary>
    /// A 2,000-trip TripUpdates feed (each trip 2 min late from its first stop, its fifth stop SKIPPED): the time to
    /// take it (parse + index, <see cref="TripUpdates.Accept"/>) and to build one stop's display content with it
    /// (<see cref="TimetablePublisher.BuildAsync"/>: yesterday's, today's and tomorrow's departures with the updates
    /// applied), next to building the same stop without a realtime feed. SQLite, the feed stored once.
    /// </summary>
    private static async Task<object> RealtimeAsync(string zipPath, GtfsLimits limits, int rounds)
    {
        GtfsFeed feed;
        await using (var zip = File.OpenRead(zipPath))
        using (var archive = GtfsZip.Open(zip, limits)) feed = GtfsReader.Read(archive);
        var directory = Path.Combine(Path.GetTempPath(), "edge-bench-" + Guid.NewGuid().ToString("N"));
        try
        {
            var connections = await Program.FreshSqliteAsync(Path.Combine(directory, "transit.db"), new TransitSchema());
            await StoreAsync(connections, feed);
            const string stop = "S0";
            await using (var tx = await Tx.BeginAsync(connections))
            {
                await tx.ExecAsync("INSERT INTO transit_stop_links (node, stop_id) VALUES ('bs-bench', @s)", ("@s", stop));
                await tx.CommitAsync();
            }
            var now = DateTimeOffset.UtcNow;
            var message = new TransitRealtime.FeedMessage { Header = new TransitRealtime.FeedHeader { GtfsRealtimeVersion = "2.0", Timestamp = (ulong)now.ToUnixTimeSeconds() } };
            var date = now.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
            // The stop's own trips first (about 500 in this feed), so the updates reach the departures its sign shows.
            var atStop = feed.StopTimes.Where(t => t.StopId == stop).Select(t => t.TripId).ToHashSet(StringComparer.Ordinal);
            foreach (var trip in feed.Trips.OrderBy(t => atStop.Contains(t.Id) ? 0 : 1).Take(2000))
            {
                var update = new TransitRealtime.TripUpdate { Trip = new TransitRealtime.TripDescriptor { TripId = trip.Id, StartDate = date } };
                update.StopTimeUpdate.Add(new TransitRealtime.TripUpdate.Types.StopTimeUpdate { StopSequence = 1, Departure = new TransitRealtime.TripUpdate.Types.StopTimeEvent { Delay = 120 } });
                update.StopTimeUpdate.Add(new TransitRealtime.TripUpdate.Types.StopTimeUpdate
                {
                    StopSequence = 5, ScheduleRelationship = TransitRealtime.TripUpdate.Types.StopTimeUpdate.Types.ScheduleRelationship.Skipped,
                });
                message.Entity.Add(new TransitRealtime.FeedEntity { Id = trip.Id, TripUpdate = update });
            }
            var bytes = Google.Protobuf.MessageExtensions.ToByteArray(message);
            var options = Microsoft.Extensions.Options.Options.Create(new TransitOptions { Realtime = new RealtimeOptions { MaxAgeSeconds = 3600 } });
            TimetablePublisher Publisher(TripUpdates updates) => new(connections, null!, updates, new ServiceAlerts(), options, TimeProvider.System,
                Microsoft.Extensions.Logging.Abstractions.NullLogger<TimetablePublisher>.Instance);
            var accept = new List<double>();
            var withFeed = new List<double>();
            var without = new List<double>();
            var live = 0;
            for (var round = 0; round < Math.Max(3, rounds); round++)
            {
                var updates = new TripUpdates();
                var time = Stopwatch.StartNew();
                if (updates.Accept(bytes, out var problem) != RealtimeRefusal.None) throw new InvalidOperationException(problem);
                accept.Add(time.Elapsed.TotalMilliseconds);
                time.Restart();
                var content = (await Publisher(updates).BuildAsync("bs-bench"))!.Content;
                withFeed.Add(time.Elapsed.TotalMilliseconds);
                live = content["arrivals"]!.AsArray().Count(a => a!["realtime"]!.GetValue<bool>());
                time.Restart();
                await Publisher(new TripUpdates()).BuildAsync("bs-bench");
                without.Add(time.Elapsed.TotalMilliseconds);
            }
            var result = new
            {
                trips = 2000, bytes = bytes.Length, stop, liveArrivalsShown = live,
                acceptMs = Edge.Benchmarks.Spread.Of(accept), buildWithFeedMs = Edge.Benchmarks.Spread.Of(withFeed), buildWithoutFeedMs = Edge.Benchmarks.Spread.Of(without),
            };
            Console.WriteLine($"TripUpdates of 2,000 trips ({bytes.Length} bytes): take {result.acceptMs.Text("F1")} ms; stop {stop}'s content with it " +
                $"{result.buildWithFeedMs.Text("F0")} ms ({live} live arrivals), without a feed {result.buildWithoutFeedMs.Text("F0")} ms");
            SqliteConnection.ClearAllPools();
            return result;
        }
        finally
        {
            try { Directory.Delete(directory, true); } catch (IOException) { }
        }
    }

    private static async Task StoreAsync(IStorageConnections connections, GtfsFeed feed)
    {
        await using var tx = await Tx.BeginAsync(connections);
        await GtfsStore.SaveAsync(tx, feed, "bench", "0", 0);
        await tx.CommitAsync();
    }

    /// <summary>A plausible large network, written straight into the zip.</summary>
    private static void WriteFeed(string path, int stopTimes)
    {
        using var archive = ZipFile.Open(path, ZipArchiveMode.Create);
        void Entry(string name, Action<StreamWriter> write)
        {
            using var writer = new StreamWriter(archive.CreateEntry(name, CompressionLevel.Fastest).Open(), new UTF8Encoding(false), 1 << 16);
            write(writer);
        }
        var trips = stopTimes / StopsPerTrip;
        Entry("agency.txt", w => w.Write("agency_id,agency_name,agency_url,agency_timezone\nA,Bench,https://bench.example,Europe/Athens\n"));
        Entry("stops.txt", w =>
        {
            w.Write("stop_id,stop_name,stop_lat,stop_lon\n");
            for (var i = 0; i < Stops; i++) w.Write($"S{i},Stop {i},{39 + i % 100 * 0.001:0.0000},{20 + i / 100 * 0.001:0.0000}\n");
        });
        Entry("routes.txt", w =>
        {
            w.Write("route_id,agency_id,route_short_name,route_type\n");
            for (var i = 0; i < Routes; i++) w.Write($"R{i},A,{i},3\n");
        });
        Entry("calendar.txt", w => w.Write("service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\nWK,1,1,1,1,1,1,1,20260101,20261231\n"));
        Entry("trips.txt", w =>
        {
            w.Write("route_id,service_id,trip_id,trip_headsign\n");
            for (var t = 0; t < trips; t++) w.Write($"R{t % Routes},WK,T{t},\"Terminus, {t % Routes}\"\n");
        });
        Entry("stop_times.txt", w =>
        {
            w.Write("trip_id,arrival_time,departure_time,stop_id,stop_sequence\n");
            for (var t = 0; t < trips; t++)
            {
                var start = 5 * 3600 + t % 1000 * 60; // 05:00 .. 21:39, the last ones past midnight
                for (var s = 0; s < StopsPerTrip; s++)
                {
                    var at = start + s * 120;
                    var time = $"{at / 3600}:{at / 60 % 60:00}:{at % 60:00}";
                    w.Write($"T{t},{time},{time},S{(t * 7 + s * 13) % Stops},{s + 1}\n");
                }
            }
        });
    }
}
