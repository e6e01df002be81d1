using System;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Edge.Cloud.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Edge.Cloud.Tests.Support;

/// <summary>What the ingestion tests do with a <see cref="CloudServer"/>: post a gateway's batch, count rows.</summary>
public static class CloudServerBatches
{
    /// <summary>Posts a batch as <paramref name="gateway"/> with its bearer token (docs/uplink.md §2); the status and body.</summary>
    public static async Task<(HttpStatusCode Status, string Body)> PostBatchAsync(this CloudServer server, string gateway, string token, JsonObject batch,
        params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/gateways/{gateway}/batches")
        {
            Content = new StringContent(batch.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        foreach (var (name, value) in headers) request.Headers.TryAddWithoutValidation(name, value);
        using var response = await server.Client.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>One number from the app's own database (a <c>SELECT COUNT(*)</c>).</summary>
    public static async Task<long> CountAsync(this CloudServer server, string sql)
    {
        await using var connection = await server.App.Services.GetRequiredService<IStorageConnections>().OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }
}
