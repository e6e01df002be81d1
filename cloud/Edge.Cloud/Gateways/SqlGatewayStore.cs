using System;
using System.Collections.Generic;
using System.Data.Common;
using System.Threading;
using System.Threading.Tasks;
using Edge.Cloud.Storage;

namespace Edge.Cloud.Gateways;

/// <summary><see cref="IGatewayStore"/> in SQL both providers run unchanged.</summary>
public sealed class SqlGatewayStore : IGatewayStore
{
    private const string Columns = "id, name, token_hash, created_at";
    private readonly IStorageConnections _connections;

    public SqlGatewayStore(IStorageConnections connections) => _connections = connections;

    public async Task<bool> AddAsync(GatewayRegistration gateway, CancellationToken cancellationToken = default)
    {
        await using var connection = await _connections.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"INSERT INTO gateways ({Columns}) VALUES (@id, @name, @token_hash, @created_at) ON CONFLICT DO NOTHING";
        command.Add("id", gateway.Id);
        command.Add("name", gateway.Name);
        command.Add("token_hash", gateway.TokenHash);
        command.Add("created_at", gateway.CreatedAt);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public Task<GatewayRegistration?> FindAsync(string id, CancellationToken cancellationToken = default) =>
        FindOneAsync("id", id, cancellationToken);

    public Task<GatewayRegistration?> FindByTokenHashAsync(string tokenHash, CancellationToken cancellationToken = default) =>
        FindOneAsync("token_hash", tokenHash, cancellationToken);

    public async Task<IReadOnlyList<GatewayRegistration>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await _connections.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM gateways ORDER BY id";
        return await ReadAsync(command, cancellationToken);
    }

    public async Task<bool> SetTokenHashAsync(string id, string tokenHash, CancellationToken cancellationToken = default)
    {
        await using var connection = await _connections.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE gateways SET token_hash = @token_hash WHERE id = @id";
        command.Add("id", id);
        command.Add("token_hash", tokenHash);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    private async Task<GatewayRegistration?> FindOneAsync(string column, string value, CancellationToken cancellationToken)
    {
        await using var connection = await _connections.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM gateways WHERE {column} = @value";
        command.Add("value", value);
        var list = await ReadAsync(command, cancellationToken);
        return list.Count == 0 ? null : list[0];
    }

    private static async Task<IReadOnlyList<GatewayRegistration>> ReadAsync(DbCommand command, CancellationToken cancellationToken)
    {
        var list = new List<GatewayRegistration>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(new GatewayRegistration(reader.GetString(0), reader.GetString(1), reader.GetString(2), Convert.ToInt64(reader.GetValue(3))));
        }
        return list;
    }
}
