using System;
using System.Collections.Generic;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using Edge.Cloud.Alarms;
using Edge.Cloud.Inventory;
using Edge.Cloud.Storage;
using Edge.Gateway;
using Edge.Tests.Metrics;
using Edge.Gateway.Outbox;
using Edge.Gateway.Uplink;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Edge.EndToEnd.Tests;

/// <summary>
/// Issue 13 item 2 with the real gateway (its durable outbox and HTTPS uplink) and the real cloud (SQLite) on
/// loopback: a gateway whose data folder is wiped starts its sequence at 1 again, and its new records must be
/// stored (not dropped as duplicates) while the cloud raises the storage-reset alarm; a gateway whose outbox is
/// restored from an older copy reuses sequence numbers under the same epoch, and it must say so loudly.
/// </summary>
public sealed class OutboxResetTests : IAsyncLifetime
{
    private const string GatewayId = "gw-reset-1";
    private const string Token = "token-of-gw-reset-1-at-least-32-characters";
    private const string Site = "igoumenitsa";
    private const string Node = "sl-reset-01";
    private static readonly TimeSpan HangLimit = TimeSpan.FromMinutes(2);
    private readonly string _root = Path.Combine(Path.GetTempPath(), "edge-reset-" + Guid.NewGuid().ToString("N")[..8]);
    private string GatewayDir => Path.Combine(_root, "gateway");
    private WebApplication _cloud = null!;
    private string _cloudUrl = null!;
    private WebApplication? _gateway;
    private MeterReader? _gatewayMetrics;
    private long _nodeSeq;

    public async Task InitializeAsync()
    {
        _cloudUrl = $"http://127.0.0.1:{SiteFixture.FreePort()}/";
        _cloud = Edge.Cloud.Program.CreateApp([], builder =>
        {
            builder.WebHost.UseUrls(_cloudUrl.TrimEnd('/'));
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Storage:Provider"] = "Sqlite",
                ["Storage:DataDirectory"] = Path.Combine(_root, "cloud"),
                ["Gateways:Seed:0:Id"] = GatewayId,
                ["Gateways:Seed:0:Token"] = Token,
                ["Alarms:IntervalS"] = "3600",
                ["Logging:LogLevel:Default"] = "Warning",
            });
        });
        await _cloud.StartAsync();
        var inventory = _cloud.Services.GetRequiredService<InventoryService>();
        await inventory.PutSiteAsync("installer", Site, new SiteRequest("Igoumenitsa", null));
        await inventory.PutNodeAsync("installer", Node, new NodeRequest(Site, "streetlight", GatewayId, null, null, null, null, null, null, null, null, null));
    }

    public async Task DisposeAsync()
    {
        await StopGatewayAsync();
        await _cloud.StopAsync();
        await _cloud.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }

    private async Task StartGatewayAsync()
    {
        var args = new Dictionary<string, string>
        {
            ["Gateway:DataDir"] = GatewayDir,
            ["Gateway:Broker:Port"] = SiteFixture.FreePort().ToString(CultureInfo.InvariantCulture),
            ["Gateway:Broker:BindAddress"] = "127.0.0.1",
            ["Gateway:Http:Port"] = SiteFixture.FreePort().ToString(CultureInfo.InvariantCulture),
            ["Gateway:Uplink:Kind"] = "https",
            ["Gateway:Uplink:BaseUrl"] = _cloudUrl,
            ["Gateway:Uplink:GatewayId"] = GatewayId,
            ["Gateway:Uplink:Token"] = Token,
            ["Gateway:Uplink:ForwardState"] = "false",
            ["Gateway:Downlink:Enabled"] = "false",
            ["Gateway:Rules:SirenDriver"] = "none",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        _gateway = GatewayHost.Build(args.Select(kv => "--" + kv.Key + "=" + kv.Value).ToArray());
        _gatewayMetrics = new MeterReader(_gateway.Services.GetRequiredService<IMeterFactory>());
        await _gateway.StartAsync();
    }

    private async Task StopGatewayAsync()
    {
        if (_gateway is null) return;
        await _gateway.StopAsync();
        await _gateway.DisposeAsync();
        _gateway = null;
        _gatewayMetrics?.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    }

    /// <summary>Commits <paramref name="count"/> street-light telemetry messages to the gateway's outbox, as the broker does
    /// for a node's publishes.</summary>
    private async Task AppendAsync(int count)
    {
        var outbox = _gateway!.Services.GetRequiredService<DurableOutbox>();
        for (var i = 0; i < count; i++)
        {
            var seq = ++_nodeSeq;
            var ts = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            var payload = Encoding.UTF8.GetBytes($"{{\"v\":1,\"type\":\"streetlight\",\"ts\":{ts},\"boot\":3,\"seq\":{seq},\"level\":{seq % 100}}}");
            var result = await outbox.AppendAsync(new OutboxAppend(Site, Node, "telemetry", 3, seq, MessageClass.Routine, payload, ts * 1000));
            Assert.Equal(AppendOutcome.Committed, result.Outcome);
        }
    }

    private async Task<long> CloudCountAsync(string sql)
    {
        await using var connection = await _cloud.Services.GetRequiredService<IStorageConnections>().OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }

    private static async Task WaitForAsync(string what, Func<Task<bool>> condition, Func<Task<string>> seen)
    {
        var deadline = DateTime.UtcNow + HangLimit;
        while (DateTime.UtcNow < deadline)
        {
            if (await condition()) return;
            await Task.Delay(100);
        }
        Assert.Fail($"gave up waiting for {what}; last seen: {await seen()}");
    }

    private Task WaitForCloudTelemetryAsync(long expected) => WaitForAsync(
        $"{expected} telemetry rows of {Node} in the cloud",
        async () => await CloudCountAsync("SELECT COUNT(*) FROM telemetry") == expected,
        async () => $"{await CloudCountAsync("SELECT COUNT(*) FROM telemetry")} rows; gateway outbox depth {_gateway?.Services.GetRequiredService<IOutboxReader>().GetStats().Depth}");

    private Task WaitForDrainedAsync() => WaitForAsync("the gateway outbox to drain",
        () => Task.FromResult(_gateway!.Services.GetRequiredService<IOutboxReader>().GetStats().Depth == 0),
        () => Task.FromResult(_gateway!.Services.GetRequiredService<IOutboxReader>().GetStats().ToString()));

    [Fact]
    public async Task A_gateway_whose_data_folder_is_wiped_gets_its_new_records_stored_and_the_cloud_raises_the_storage_reset_alarm()
    {
        await StartGatewayAsync();
        var firstEpoch = _gateway!.Services.GetRequiredService<IOutboxReader>().Epoch;
        await AppendAsync(5);
        await WaitForCloudTelemetryAsync(5);
        await StopGatewayAsync();

        // SD card replaced: the data folder is gone; the gateway starts with a new, empty outbox (seq 1 again).
        Directory.Delete(GatewayDir, recursive: true);
        await StartGatewayAsync();
        var secondEpoch = _gateway!.Services.GetRequiredService<IOutboxReader>().Epoch;
        Assert.NotEqual(firstEpoch, secondEpoch);
        await AppendAsync(4);

        await WaitForCloudTelemetryAsync(9);
        Assert.Equal(2, await CloudCountAsync($"SELECT COUNT(*) FROM records WHERE gateway = '{GatewayId}' AND seq = 1"));
        var alarm = Assert.Single(await _cloud.Services.GetRequiredService<AlarmService>().ListAsync("open", null, "gateway.storage-reset", 10));
        Assert.Equal(GatewayId, alarm.Gateway);
        Assert.Contains(secondEpoch, alarm.Message);
        Assert.Equal(0, _gatewayMetrics!.Get("edge.gateway.uplink.unexpected_duplicates"));
    }

    [Fact]
    public async Task A_gateway_whose_outbox_is_restored_from_an_old_copy_warns_that_the_cloud_drops_its_new_records()
    {
        await StartGatewayAsync();
        await AppendAsync(3);
        await WaitForCloudTelemetryAsync(3);
        await StopGatewayAsync();
        var backup = Path.Combine(_root, "backup");
        Directory.CreateDirectory(backup);
        foreach (var file in Directory.GetFiles(GatewayDir, "outbox.db*")) File.Copy(file, Path.Combine(backup, Path.GetFileName(file)));

        await StartGatewayAsync();
        await AppendAsync(2); // gateway seq 4 and 5
        await WaitForCloudTelemetryAsync(5);
        Assert.Equal("ok", _gateway!.Services.GetRequiredService<UplinkService>().Report().Status);
        await StopGatewayAsync();

        // The old copy comes back: the same epoch, and the next records get seq 4 and 5 again.
        foreach (var file in Directory.GetFiles(GatewayDir, "outbox.db*")) File.Delete(file);
        foreach (var file in Directory.GetFiles(backup)) File.Copy(file, Path.Combine(GatewayDir, Path.GetFileName(file)));
        await StartGatewayAsync();
        await AppendAsync(2);
        await WaitForDrainedAsync();

        var uplink = _gateway!.Services.GetRequiredService<UplinkService>();
        var health = uplink.Report();
        Assert.Equal("degraded", health.Status);
        Assert.StartsWith("the cloud reported 2 record(s) as already stored that this gateway never sent", health.Detail);
        Assert.Equal(2L, health.Data!["unexpectedDuplicates"]);
        Assert.Equal(2, _gatewayMetrics!.Get("edge.gateway.uplink.unexpected_duplicates"));
        Assert.Equal(5, await CloudCountAsync("SELECT COUNT(*) FROM telemetry"));
    }
}
