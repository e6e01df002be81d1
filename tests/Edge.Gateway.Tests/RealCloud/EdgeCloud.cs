using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Edge.Cloud.Alarms;
using Edge.Cloud.Gateways;
using Edge.Cloud.Inventory;
using Edge.Cloud.Storage;
using Edge.Cloud.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Edge.Gateway.Tests.RealCloud;

public enum CloudStorage
{
    Sqlite,
    Postgres,
}

/// <summary>
/// The real cloud service (<c>Edge.Cloud</c>, the same composition as production and the demo) in-process on a
/// fixed free loopback port, on SQLite in a temp folder or in a fresh schema of the PostgreSQL server named by
/// EDGE_TEST_POSTGRES. The gateway under test is registered (seeded token) and nodes are added to the cloud's
/// inventory, so the gateway learns their credentials through the real downlink, as on a site. Faults (5xx, hangs)
/// are injected with <see cref="Uplink.FakeCloud"/> instead; this one is for what the cloud really does.
/// </summary>
public sealed class EdgeCloud : IAsyncDisposable
{
    public const string GatewayId = "gw-test-1";
    public const string Token = "token-for-gw-test-1-real-cloud-0000000000";
    const string Actor = "test";

    readonly string _dataDir;
    readonly TestPostgres? _postgres;

    EdgeCloud(WebApplication app, int port, string dataDir, TestPostgres? postgres, ArrivalLog arrivals)
    {
        App = app;
        Port = port;
        _dataDir = dataDir;
        _postgres = postgres;
        Arrivals = arrivals;
    }

    public WebApplication App { get; }

    public int Port { get; }

    public string BaseUrl => $"http://127.0.0.1:{Port}/";

    /// <summary>Gateway seqs in the order the cloud first accepted them.</summary>
    public ArrivalLog Arrivals { get; }

    public T Get<T>() where T : notnull => App.Services.GetRequiredService<T>();

    /// <param name="extra">configuration over the defaults (e.g. Telemetry:Tracing)</param>
    /// <param name="services">registrations added to the cloud's own (e.g. a span exporter, or an <see cref="IStartupFilter"/> such as
    /// <see cref="BatchGate"/> for middleware in front of the cloud's own, the cloud's code untouched)</param>
    public static async Task<EdgeCloud> StartAsync(CloudStorage storage, IDictionary<string, string?>? extra = null, Action<IServiceCollection>? services = null)
    {
        var port = TestGateway.FreePort();
        var dataDir = TestGateway.NewTempDir();
        var postgres = storage == CloudStorage.Postgres ? await TestPostgres.CreateAsync() : null;
        var settings = new Dictionary<string, string?>
        {
            ["Storage:Provider"] = storage.ToString(),
            ["Storage:DataDirectory"] = dataDir,
            ["Storage:PostgresConnectionString"] = postgres?.ConnectionString,
            ["Gateways:Seed:0:Id"] = GatewayId,
            ["Gateways:Seed:0:Token"] = Token,
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>()) settings[key] = value;
        var arrivals = new ArrivalLog();
        var app = Edge.Cloud.Program.CreateApp([], builder =>
        {
            builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
            builder.Configuration.AddInMemoryCollection(settings);
            builder.Services.AddSingleton<IStartupFilter>(arrivals);
            services?.Invoke(builder.Services);
        });
        await app.StartAsync();
        var cloud = new EdgeCloud(app, port, dataDir, postgres, arrivals);
        await cloud.Get<InventoryService>().PutSiteAsync(Actor, TestGateway.Site, new SiteRequest("Kalamaki", null));
        return cloud;
    }

    /// <summary>Gateway flags pointing the uplink and the downlink at this cloud (short backoffs for tests).</summary>
    public string[] GatewayArgs(params string[] more)
        => Uplink.CloudArgs.For(BaseUrl, GatewayId, Token, [$"--Gateway:Downlink:DefaultSite={TestGateway.Site}", .. more]);

    /// <summary>Adds a node to the inventory behind this gateway and returns its new secret.</summary>
    public async Task<string> AddNodeAsync(string nodeId, string type)
    {
        var inventory = Get<InventoryService>();
        await inventory.PutNodeAsync(Actor, nodeId, new NodeRequest(TestGateway.Site, type, GatewayId, null, null, null, null, null, null, null, null, null));
        return (await inventory.NewSecretAsync(Actor, nodeId)).Secret;
    }

    /// <summary>The records the cloud stored for the gateway, in gateway-seq order.</summary>
    public async Task<IReadOnlyList<StoredRecord>> RecordsAsync()
    {
        var result = new List<StoredRecord>();
        await using var connection = await Get<IStorageConnections>().OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT seq, node, kind, payload FROM records WHERE gateway = @g ORDER BY seq";
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@g";
        parameter.Value = GatewayId;
        command.Parameters.Add(parameter);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            result.Add(new StoredRecord(reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetString(2), JsonNode.Parse(reader.GetString(3))!.AsObject()));
        }
        return result;
    }

    /// <summary>Runs the cloud's record feed once (alarms, command outcomes) and returns the keys of the active alarms.</summary>
    public async Task<IReadOnlyList<string>> ActiveAlarmKeysAsync()
    {
        await Get<RecordFeed>().RunOnceAsync();
        return (await Get<AlarmService>().ListAsync("active", null, null, 1000)).Select(a => a.Key).OrderBy(k => k, StringComparer.Ordinal).ToList();
    }

    /// <summary>The version and outbox backlog the gateway last reported with a batch, as the cloud stored them (null before any).</summary>
    public async Task<GatewayUplinkReport?> UplinkReportAsync()
    {
        await using var tx = await Edge.Cloud.Domain.Tx.ReadAsync(Get<IStorageConnections>());
        return (await GatewayUplinkReports.ListAsync(tx)).GetValueOrDefault(GatewayId);
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        if (_postgres is not null) await _postgres.DisposeAsync();
        try { Directory.Delete(_dataDir, recursive: true); } catch (IOException) { }
    }
}

/// <summary>A record as the cloud stored it.</summary>
public sealed record StoredRecord(long Seq, string? Node, string Kind, JsonObject Payload);
