using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Edge.Cloud.Ingestion;
using Edge.Cloud.Inventory;
using Edge.Cloud.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Edge.Cloud.Tests.Ingestion;

/// <summary>
/// Admission keeps the inventory rows it read (<c>AdmissionCache</c>) only while the inventory's version stays: two cloud
/// processes on one database (SQLite file, PostgreSQL), a node removed, moved to another gateway or added through one of
/// them takes effect on the very next batch the other admits.
/// </summary>
public abstract class AdmissionCacheTests : IAsyncLifetime
{
    private const string Owner = "gw-igoumenitsa-1";
    private const string OwnerToken = "token-of-gw-igoumenitsa-1-at-least-32-chars";
    private const string Other = "gw-preveza-1";
    private CloudServer _first = null!;
    private CloudServer _second = null!;
    private long _seq;

    /// <summary>The storage settings both processes share; <paramref name="first"/> is the first process (null for it).</summary>
    protected abstract Task<IDictionary<string, string?>> StorageSettingsAsync(CloudServer? first);

    public async Task InitializeAsync()
    {
        Dictionary<string, string?> Settings(IDictionary<string, string?> storage) => new(storage)
        {
            ["Gateways:Seed:0:Id"] = Owner,
            ["Gateways:Seed:0:Token"] = OwnerToken,
            ["Gateways:Seed:1:Id"] = Other,
            ["Gateways:Seed:1:Token"] = "token-of-gw-preveza-1-also-32-characters-long",
        };
        _first = await CloudServer.StartAsync(Settings(await StorageSettingsAsync(null)));
        _second = await CloudServer.StartAsync(Settings(await StorageSettingsAsync(_first)));
        var inventory = Inventory(_first);
        await inventory.PutSiteAsync("installer", Records.Site, new SiteRequest("Igoumenitsa", null));
        await inventory.PutNodeAsync("installer", "sl-0001", Light(Owner));
        await inventory.PutNodeAsync("installer", "sl-0002", Light(Owner));
    }

    public virtual async Task DisposeAsync()
    {
        await _second.DisposeAsync();
        await _first.DisposeAsync();
    }

    private AdmissionCache Cache => _first.App.Services.GetRequiredService<AdmissionCache>();

    private Task<long> VersionAsync() => _first.CountAsync("SELECT version FROM inventory_version WHERE id = 1");

    private static InventoryService Inventory(CloudServer server) => server.App.Services.GetRequiredService<InventoryService>();

    private static NodeRequest Light(string gateway) => new(Records.Site, "streetlight", gateway, null, null, null, null, null, null, null, null, null);

    /// <summary>Posts one telemetry record per node to the first process: the errors of the refused ones by node.</summary>
    private async Task<Dictionary<string, string>> PostAsync(params string[] nodes)
    {
        var records = nodes.Select(node => Records.Streetlight(++_seq, node, 1767304800 + _seq, level: 50)).ToArray();
        var (status, body) = await _first.PostBatchAsync(Owner, OwnerToken, Records.Batch(Owner, records));
        Assert.True(status == HttpStatusCode.OK, $"{(int)status}: {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("rejected").EnumerateArray()
            .ToDictionary(r => nodes[r.GetProperty("index").GetInt32()], r => r.GetProperty("error").GetString()!);
    }

    [Fact]
    public async Task An_inventory_change_made_through_another_process_reaches_the_next_batch()
    {
        Assert.Empty(await PostAsync("sl-0001", "sl-0002")); // both admitted: the first process keeps their rows
        var absent = await PostAsync("sl-0001", "sl-0003"); // not in the inventory: kept as such
        Assert.Equal(["sl-0003"], absent.Keys);
        Assert.StartsWith("node: 'sl-0003' is not in the inventory", absent["sl-0003"]);
        // The next batch of these nodes reads only the version: their rows (and sl-0003's absence) are kept for it.
        var before = await VersionAsync();
        Assert.Empty(Cache.Find(before, ["sl-0001", "sl-0002", "sl-0003"]).Missing);

        // The second process removes one node, moves another to another gateway and adds the third.
        await Inventory(_second).RemoveNodeAsync("installer", "sl-0001");
        await Inventory(_second).PutNodeAsync("installer", "sl-0002", Light(Other));
        await Inventory(_second).PutNodeAsync("installer", "sl-0003", Light(Owner));

        Assert.True(await VersionAsync() > before, "the other process's changes moved the inventory's version");
        var refused = await PostAsync("sl-0001", "sl-0002", "sl-0003");
        Assert.Equal(new Dictionary<string, string>
        {
            ["sl-0001"] = "node: 'sl-0001' was removed from the inventory; its records are refused",
            ["sl-0002"] = "node: 'sl-0002' is assigned to another gateway; its records are accepted only from that gateway (moving a node is an inventory change)",
        }, refused);
        Assert.Equal(1, await _first.CountAsync("SELECT COUNT(*) FROM records WHERE node = 'sl-0003'")); // the added node's record
    }
}

public sealed class SqliteAdmissionCacheTests : AdmissionCacheTests
{
    protected override Task<IDictionary<string, string?>> StorageSettingsAsync(CloudServer? first) =>
        Task.FromResult<IDictionary<string, string?>>(first is null ? new Dictionary<string, string?>()
            : new Dictionary<string, string?> { ["Storage:DataDirectory"] = first.DataDirectory });
}

public sealed class PostgresAdmissionCacheTests : AdmissionCacheTests
{
    private TestPostgres? _database;

    protected override async Task<IDictionary<string, string?>> StorageSettingsAsync(CloudServer? first)
    {
        _database ??= await TestPostgres.CreateAsync();
        return _database.AppSettings;
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (_database is not null) await _database.DisposeAsync();
    }
}
