using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using Npgsql;

namespace Edge.Cloud.Tests.Support;

/// <summary>
/// A fresh schema on the PostgreSQL server named by EDGE_TEST_POSTGRES (scripts/test.sh starts one), so tests
/// never see each other's rows. Without the variable the tests FAIL with instructions: a storage suite that
/// silently skips its PostgreSQL half would pass without testing it.
/// </summary>
public sealed class TestPostgres : IAsyncDisposable
{
    public const string Variable = "EDGE_TEST_POSTGRES";

    private readonly string _server;

    private TestPostgres(string server, string schema)
    {
        _server = server;
        Schema = schema;
        ConnectionString = new NpgsqlConnectionStringBuilder(server) { SearchPath = schema }.ToString();
    }

    public string Schema { get; }

    /// <summary>Connection string whose search path is this test's schema.</summary>
    public string ConnectionString { get; }

    /// <summary>The cloud app's storage settings for this database.</summary>
    public Dictionary<string, string?> AppSettings => new()
    {
        ["Storage:Provider"] = "Postgres",
        ["Storage:PostgresConnectionString"] = ConnectionString,
    };

    public static string ServerConnectionString()
    {
        var value = Environment.GetEnvironmentVariable(Variable);
        if (!string.IsNullOrWhiteSpace(value)) return value;
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"{Variable} is not set under CI=true: scripts/test.sh must start PostgreSQL and export it");
        }
        throw new InvalidOperationException(
            $"The PostgreSQL half of the storage suite needs {Variable} (an Npgsql connection string of a server where the user may create schemas). " +
            "Run ./scripts/test.sh, which starts a throwaway server, or e.g. " +
            $"{Variable}='Host=127.0.0.1;Port=5432;Username=postgres;Database=postgres' dotnet test tests/Edge.Cloud.Tests");
    }

    public static async Task<TestPostgres> CreateAsync()
    {
        var server = ServerConnectionString();
        var schema = "t_" + Guid.NewGuid().ToString("N");
        await using var connection = new NpgsqlConnection(server);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE SCHEMA {schema}", connection);
        await command.ExecuteNonQueryAsync();
        return new TestPostgres(server, schema);
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(_server);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP SCHEMA IF EXISTS {Schema} CASCADE", connection);
        await command.ExecuteNonQueryAsync();
    }
}
