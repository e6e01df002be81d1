using System;
using System.Collections.Generic;
using System.Threading.Tasks;

namespace Edge.Cloud.Tests.Support;

/// <summary>The storage settings of a <see cref="CloudServer"/> for one provider (SQLite, or a fresh PostgreSQL schema), and their clean-up.</summary>
public sealed class TestStorage : IAsyncDisposable
{
    private readonly TestPostgres? _postgres;

    private TestStorage(TestPostgres? postgres) => _postgres = postgres;

    public static async Task<TestStorage> CreateAsync(bool postgres) => new(postgres ? await TestPostgres.CreateAsync() : null);

    /// <summary>Settings over the server's SQLite default.</summary>
    public Dictionary<string, string?> Settings => _postgres is null ? new()
        : new() { ["Storage:Provider"] = "Postgres", ["Storage:PostgresConnectionString"] = _postgres.ConnectionString };

    public async ValueTask DisposeAsync()
    {
        if (_postgres is not null) await _postgres.DisposeAsync();
    }
}
