using System;
using System.Data.Common;
using System.Globalization;
using System.Linq;
using System.Threading.Tasks;
using Edge.Cloud.Storage;
using Npgsql;
using NpgsqlTypes;

namespace Edge.Cloud.Web.Benchmarks;

/// <summary>
/// Writes a month of hourly street-light telemetry for a whole fleet straight into the <c>telemetry</c> table — the
/// rows ingestion derives from each record, with the payload the light sent — through each store's bulk path: binary
/// COPY on PostgreSQL (its monthly partitions made first, as ingestion does), one prepared INSERT reused inside large
/// transactions on SQLite. Going through the batch API would take an hour for 7.2 million records and measure ingestion,
/// which has its own benchmark (docs/cloud.md); the pages only read these rows.
/// Each lamp: its rated power (<paramref name="watts"/>), dimmed to 70 % from 17:00 to 07:00 site time (EET, UTC+2) and
/// 0.5 W by day, its energy counter rising by what it used.
/// </summary>
public static class TelemetrySeeder
{
    private const string Insert = "INSERT INTO telemetry (site, node, ts, type, gateway, seq, level, watts, volts, energy_wh, lux, level_mm, rate_mm_h, " +
        "flood_state, battery_v, content_version, payload) VALUES (@site, @node, @ts, 'streetlight', @gw, @seq, @level, @watts, 230.0, @energy, NULL, NULL, NULL, NULL, NULL, NULL, @payload)";

    /// <summary>Rows for <paramref name="nodes"/> from <paramref name="from"/> for <paramref name="hours"/> hours; returns how many.</summary>
    public static async Task<long> SeedAsync(IStorageConnections connections, string site, string gateway,
        string[] nodes, Func<int, double> watts, long from, int hours)
    {
        await using var connection = await connections.OpenAsync();
        if (connection is NpgsqlConnection postgres)
        {
            await new TelemetryPartitions().EnsureAsync(postgres, Enumerable.Range(0, hours / 24 + 2).Select(d => from + d * 86400L), default);
            var rows = 0L;
            await using (var copy = await postgres.BeginBinaryImportAsync(
                "COPY telemetry (site, node, ts, type, gateway, seq, level, watts, volts, energy_wh, payload) FROM STDIN (FORMAT BINARY)"))
            {
                foreach (var row in Rows(nodes, watts, from, hours))
                {
                    await copy.StartRowAsync();
                    await copy.WriteAsync(site, NpgsqlDbType.Text);
                    await copy.WriteAsync(row.Node, NpgsqlDbType.Text);
                    await copy.WriteAsync(row.Ts, NpgsqlDbType.Bigint);
                    await copy.WriteAsync("streetlight", NpgsqlDbType.Text);
                    await copy.WriteAsync(gateway, NpgsqlDbType.Text);
                    await copy.WriteAsync(row.Seq, NpgsqlDbType.Bigint);
                    await copy.WriteAsync(row.Level, NpgsqlDbType.Integer);
                    await copy.WriteAsync(row.Watts, NpgsqlDbType.Double);
                    await copy.WriteAsync(230.0, NpgsqlDbType.Double);
                    await copy.WriteAsync(row.EnergyWh, NpgsqlDbType.Bigint);
                    await copy.WriteAsync(Payload(row), NpgsqlDbType.Jsonb);
                    rows++;
                }
                await copy.CompleteAsync();
            } // the connection leaves COPY mode only when the importer is disposed
            await using var analyze = new NpgsqlCommand("ANALYZE telemetry", postgres);
            await analyze.ExecuteNonQueryAsync();
            return rows;
        }
        return await SqliteAsync(connection, site, gateway, nodes, watts, from, hours);
    }

    private static async Task<long> SqliteAsync(DbConnection connection, string site, string gateway, string[] nodes, Func<int, double> watts, long from, int hours)
    {
        var rows = 0L;
        DbTransaction? transaction = null;
        // Rows arrive hour by hour, so the (site, node, ts) index takes them all over the tree: a page cache big enough
        // for it keeps that from going to disk for every row (SQLite's default is 2 MB).
        await using (var pragma = connection.CreateCommand())
        {
            pragma.CommandText = "PRAGMA cache_size = -524288";
            await pragma.ExecuteNonQueryAsync();
        }
        await using var command = connection.CreateCommand();
        command.CommandText = Insert;
        var parameters = new[] { "@site", "@node", "@ts", "@gw", "@seq", "@level", "@watts", "@energy", "@payload" }.ToDictionary(n => n, n =>
        {
            var p = command.CreateParameter();
            p.ParameterName = n;
            command.Parameters.Add(p);
            return p;
        });
        parameters["@site"].Value = site;
        parameters["@gw"].Value = gateway;
        foreach (var row in Rows(nodes, watts, from, hours))
        {
            // Commits now and then, so the cloud's own writers (the record feed) get the lock in between.
            if (rows % 100_000 == 0)
            {
                if (transaction is not null) await transaction.CommitAsync();
                transaction = await connection.BeginTransactionAsync();
                command.Transaction = transaction;
            }
            parameters["@node"].Value = row.Node;
            parameters["@ts"].Value = row.Ts;
            parameters["@seq"].Value = row.Seq;
            parameters["@level"].Value = row.Level;
            parameters["@watts"].Value = row.Watts;
            parameters["@energy"].Value = row.EnergyWh;
            parameters["@payload"].Value = Payload(row);
            command.ExecuteNonQuery(); // Microsoft.Data.Sqlite runs async calls synchronously anyway
            rows++;
        }
        if (transaction is not null) await transaction.CommitAsync();
        return rows;
    }

    private readonly record struct Row(string Node, long Ts, long Seq, int Level, double Watts, long EnergyWh);

    /// <summary>Hour by hour (all lamps at each hour, as they arrive), each lamp's counter carried along.</summary>
    private static System.Collections.Generic.IEnumerable<Row> Rows(string[] nodes, Func<int, double> watts, long from, int hours)
    {
        var energy = new double[nodes.Length];
        for (var i = 0; i < nodes.Length; i++) energy[i] = 10_000 + i % 997;
        for (var h = 0; h < hours; h++)
        {
            var ts = from + h * 3600L;
            var local = (int)((ts + 7200) / 3600 % 24);
            var dark = local >= 17 || local < 7;
            for (var i = 0; i < nodes.Length; i++)
            {
                var w = dark ? watts(i) * 0.7 : 0.5;
                energy[i] += w;
                yield return new Row(nodes[i], ts, 1_000_000_000L + (long)h * nodes.Length + i, dark ? 70 : 0, w, (long)energy[i]);
            }
        }
    }

    /// <summary>The light's message as it sent it (docs/protocol.md), as ingestion stores it.</summary>
    private static string Payload(Row row) => string.Create(CultureInfo.InvariantCulture,
        $"{{\"v\":1,\"type\":\"streetlight\",\"ts\":{row.Ts},\"boot\":1,\"seq\":{row.Seq % 1_000_000},\"level\":{row.Level},\"source\":\"schedule\",\"watts\":{row.Watts:0.0},\"volts\":230.0,\"energyWh\":{row.EnergyWh},\"faults\":[]}}");
}
