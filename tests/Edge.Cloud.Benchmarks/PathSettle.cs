using System;
using System.Threading.Tasks;
using Npgsql;

namespace Edge.Cloud.Benchmarks;

/// <summary>
/// Brings the machine to the same quiet state before every timed path, so no path pays for what the one before it
/// left behind: a path of 30,000 records takes about a second, and a checkpoint writing the previous path's dirty
/// pages, an autovacuum of its tables (the launcher visits a database once a minute and then vacuums and analyzes
/// every table with more than 1,000 new rows) or a garbage collection of its objects moved single rounds by tens of
/// per cent, against whichever side ran second (docs/cloud.md §Ingestion benchmark, "fair rounds").
/// </summary>
internal static class PathSettle
{
    /// <summary>The PostgreSQL server of the run, when it has one.</summary>
    public static string? Postgres { get; set; }

    /// <summary>This process's CPU time spent settling, in all: a path that measures the process's CPU around its
    /// timing subtracts it.</summary>
    public static TimeSpan Cpu { get; private set; }

    public static async Task BeforePathAsync()
    {
        var cpu = Environment.CpuUsage.TotalTime;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        if (Postgres is not null) await SettlePostgresAsync(Postgres);
        Cpu += Environment.CpuUsage.TotalTime - cpu;
    }

    private static async Task SettlePostgresAsync(string server)
    {
        await using var connection = new NpgsqlConnection(server);
        await connection.OpenAsync();
        // Vacuum and analyze what the earlier paths wrote now, so autovacuum finds nothing of theirs to do during
        // this one; then write their dirty pages out, so this path's commits do not wait behind that.
        await ExecAsync(connection, "VACUUM (ANALYZE)");
        try
        {
            await ExecAsync(connection, "CHECKPOINT");
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InsufficientPrivilege)
        {
            // CHECKPOINT needs a superuser or pg_checkpoint: without it the run goes on, a little noisier.
        }
        // An autovacuum worker that started before the VACUUM may still be on its table: wait for it (bounded).
        for (var i = 0; i < 100; i++)
        {
            await using var busy = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'", connection);
            if ((long)(await busy.ExecuteScalarAsync())! == 0) return;
            await Task.Delay(100);
        }
    }

    private static async Task ExecAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 120 };
        await command.ExecuteNonQueryAsync();
    }
}
