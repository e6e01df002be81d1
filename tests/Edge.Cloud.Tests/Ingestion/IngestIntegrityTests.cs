using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Edge.Cloud.Alarms;
using Edge.Cloud.Inventory;
using Edge.Cloud.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Edge.Cloud.Tests.Ingestion;

/// <summary>
/// Issue 13 items 3 and 4 over real HTTP on SQLite (<see cref="SqliteIngestIntegrityTests"/>) and PostgreSQL
/// (<see cref="PostgresIngestIntegrityTests"/>): a gateway writes only for its own nodes, and records dated ahead of
/// the cloud's clock are refused while the gateway's clock error is recorded and alarmed.
/// </summary>
public abstract class IngestIntegrityTests : IAsyncLifetime
{
    protected const string Owner = "gw-igoumenitsa-1";
    protected const string OwnerToken = "token-of-gw-igoumenitsa-1-at-least-32-chars";
    protected const string Forger = "gw-preveza-1";
    protected const string ForgerToken = "token-of-gw-preveza-1-also-32-characters-long";
    private const string AdminPassword = "admin-password-1";
    private readonly ManualClock _clock = new(1767304800);
    private CloudServer _server = null!;
    private HttpClient _admin = null!;

    protected abstract Task<IDictionary<string, string?>> StorageSettingsAsync();

    public async Task InitializeAsync()
    {
        var settings = new Dictionary<string, string?>(await StorageSettingsAsync())
        {
            ["Gateways:Seed:0:Id"] = Owner,
            ["Gateways:Seed:0:Token"] = OwnerToken,
            ["Gateways:Seed:1:Id"] = Forger,
            ["Gateways:Seed:1:Token"] = ForgerToken,
            ["Users:Seed:0:Name"] = "admin",
            ["Users:Seed:0:Password"] = AdminPassword,
            ["Users:Seed:0:Role"] = "admin",
            ["Alarms:IntervalS"] = "3600", // the test runs the record feed itself
        };
        _server = await CloudServer.StartAsync(settings, services => services.AddSingleton<TimeProvider>(_clock));
        _admin = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = _server.Client.BaseAddress };
        (await _admin.PostAsJsonAsync("/api/v1/auth/login", new { name = "admin", password = AdminPassword })).EnsureSuccessStatusCode();
        var inventory = Inventory;
        await inventory.PutSiteAsync("installer", Records.Site, new SiteRequest("Igoumenitsa", null));
        await inventory.PutNodeAsync("installer", "sl-0001", Light(Owner));
        await inventory.PutNodeAsync("installer", "sl-0002", Light(Owner));
    }

    public virtual async Task DisposeAsync()
    {
        _admin.Dispose();
        await _server.DisposeAsync();
    }

    private InventoryService Inventory => _server.App.Services.GetRequiredService<InventoryService>();

    private static NodeRequest Light(string gateway) => new(Records.Site, "streetlight", gateway, null, null, null, null, null, null, null, null, null);

    private async Task<JsonElement> PostAsync(string gateway, string token, JsonObject batch)
    {
        var (status, body) = await _server.PostBatchAsync(gateway, token, batch);
        Assert.True(status == HttpStatusCode.OK, $"{(int)status}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private static JsonObject Batch(string gateway, long sentAt, params JsonObject[] records)
    {
        var batch = Records.Batch(gateway, records);
        batch["sentAt"] = sentAt;
        return batch;
    }

    private static List<(long Seq, int Index, string Error)> Rejected(JsonElement answer) => answer.GetProperty("rejected").EnumerateArray()
        .Select(r => (r.GetProperty("seq").GetInt64(), r.GetProperty("index").GetInt32(), r.GetProperty("error").GetString()!)).ToList();

    private Task<long> CountAsync(string sql) => _server.CountAsync(sql);

    private async Task<IReadOnlyList<AlarmInfo>> ActiveAlarmsAsync()
    {
        await _server.App.Services.GetRequiredService<RecordFeed>().RunOnceAsync();
        return await _server.App.Services.GetRequiredService<AlarmService>().ListAsync("active", null, null, 100);
    }

    [Fact]
    public async Task A_gateway_forging_another_gateways_nodes_gets_per_record_rejections_and_nothing_is_stored_or_alarmed_from_them()
    {
        var t = _clock.UnixNow;
        var forged = Batch(Forger, t,
            Records.Streetlight(1, "sl-0001", t, level: 0),
            Records.LampFault(2, "sl-0001", t),
            Records.State(3, "sl-0002", t, "offline", null),
            Records.Streetlight(4, "sl-9999", t, level: 10),
            Records.Rule(5, t));

        var answer = await PostAsync(Forger, ForgerToken, forged);

        Assert.Equal(1, answer.GetProperty("accepted").GetInt32()); // the gateway's own rule record
        const string foreign = "is assigned to another gateway; its records are accepted only from that gateway (moving a node is an inventory change)";
        Assert.Equal(
        [
            (1L, 0, "node: 'sl-0001' " + foreign),
            (2L, 1, "node: 'sl-0001' " + foreign),
            (3L, 2, "node: 'sl-0002' " + foreign),
            (4L, 3, $"node: 'sl-9999' is not in the inventory; register it with gateway '{Forger}' before its records are accepted"),
        ], Rejected(answer));
        Assert.Equal(5, answer.GetProperty("ackedThrough").GetInt64());
        Assert.Equal(0, await CountAsync("SELECT COUNT(*) FROM records WHERE node IS NOT NULL"));
        Assert.Equal(0, await CountAsync("SELECT COUNT(*) FROM telemetry"));
        Assert.Equal(0, await CountAsync("SELECT COUNT(*) FROM node_state"));

        // No lamp or offline alarm from forged records; the conflict itself is an alarm per node, and audited.
        var alarms = await ActiveAlarmsAsync();
        Assert.Equal(
            [("node.gateway-conflict", "sl-0001", Forger), ("node.gateway-conflict", "sl-0002", Forger)],
            alarms.Select(a => (a.Kind, a.Node!, a.Gateway!)).OrderBy(a => a.Item2));
        var audit = await _server.App.Services.GetRequiredService<Edge.Cloud.Audit.AuditLog>().ListAsync("node:sl-0001", "gateway:" + Forger, null, 10);
        Assert.Equal("ingest.foreign-node", Assert.Single(audit).Action);

        // The owner writes for the same node as before.
        var own = await PostAsync(Owner, OwnerToken, Batch(Owner, t, Records.LampFault(1, "sl-0001", t)));
        Assert.Equal((1, 0), (own.GetProperty("accepted").GetInt32(), own.GetProperty("rejected").GetArrayLength()));

        // Moving the node is an explicit inventory change; afterwards the new gateway is the one accepted.
        await Inventory.PutNodeAsync("installer", "sl-0002", Light(Forger));
        var moved = await PostAsync(Forger, ForgerToken, Batch(Forger, t, Records.State(6, "sl-0002", t + 1, "online", 1)));
        Assert.Equal(1, moved.GetProperty("accepted").GetInt32());
        var old = await PostAsync(Owner, OwnerToken, Batch(Owner, t, Records.State(2, "sl-0002", t + 2, "offline", null)));
        Assert.Equal("node: 'sl-0002' " + foreign, Assert.Single(Rejected(old)).Error);
    }

    [Fact]
    public async Task A_gateway_whose_outbox_was_recreated_gets_its_restarted_sequence_stored_and_raises_the_storage_reset_alarm()
    {
        var t = _clock.UnixNow;
        JsonObject Epoch(string epoch, params JsonObject[] records)
        {
            var batch = Batch(Owner, t, records);
            batch["epoch"] = epoch;
            return batch;
        }
        var first = await PostAsync(Owner, OwnerToken, Epoch("1767300000-0a1b2c3d4e5f6071", Records.Streetlight(1, "sl-0001", t, 50), Records.Streetlight(2, "sl-0001", t, 60)));
        Assert.Equal(2, first.GetProperty("accepted").GetInt32());
        Assert.Empty(await ActiveAlarmsAsync());

        // The data folder was wiped: a new outbox, a new epoch, seq from 1 again — stored, not taken for duplicates.
        var second = await PostAsync(Owner, OwnerToken, Epoch("1767304700-99aabbccddeeff00", Records.Streetlight(1, "sl-0001", t, 70), Records.LampFault(2, "sl-0001", t)));
        Assert.Equal((2, 0), (second.GetProperty("accepted").GetInt32(), second.GetProperty("duplicates").GetInt32()));
        Assert.Equal(4, await CountAsync("SELECT COUNT(*) FROM records"));
        // A retry within the new epoch is still a duplicate.
        var retry = await PostAsync(Owner, OwnerToken, Epoch("1767304700-99aabbccddeeff00", Records.Streetlight(1, "sl-0001", t, 70)));
        Assert.Equal((0, 1), (retry.GetProperty("accepted").GetInt32(), retry.GetProperty("duplicates").GetInt32()));

        // The reset is alarmed and audited; the record feed applies the new epoch's records (the lamp fault).
        var alarms = await ActiveAlarmsAsync();
        Assert.Equal([("gateway.storage-reset", Owner), ("lamp.fault", Owner)], alarms.Select(a => (a.Kind, a.Gateway!)).OrderBy(a => a.Kind));
        Assert.Contains("1767304700-99aabbccddeeff00", alarms.Single(a => a.Kind == "gateway.storage-reset").Message);
        var audit = await _server.App.Services.GetRequiredService<Edge.Cloud.Audit.AuditLog>().ListAsync("gateway:" + Owner, null, null, 10);
        Assert.Equal("gateway.storage-reset", Assert.Single(audit, a => a.Actor == "gateway:" + Owner).Action);

        var (status, body) = await _server.PostBatchAsync(Owner, OwnerToken, Epoch("not an epoch!", Records.Streetlight(3, "sl-0001", t, 70)));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.StartsWith("epoch: \"not an epoch!\" does not match", JsonDocument.Parse(body).RootElement.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Records_dated_ahead_of_the_cloud_are_refused_and_the_gateway_clock_error_is_recorded_and_alarmed()
    {
        var t = _clock.UnixNow;
        var ahead = t + 3600; // the gateway's clock runs an hour fast
        var nodeAhead = Records.Streetlight(4, "sl-0002", t, level: 40);
        nodeAhead["payload"]!["ts"] = t + 900; // a node clock may run fast (the demo's --speed): not the gateway's
        var answer = await PostAsync(Owner, OwnerToken, Batch(Owner, ahead,
            Records.State(1, "sl-0001", ahead, "offline", null),
            Records.Streetlight(2, "sl-0001", t - 10, level: 40),
            Records.Streetlight(3, "sl-0001", t + 300, level: 40), // at the limit: accepted
            nodeAhead));

        Assert.Equal(3, answer.GetProperty("accepted").GetInt32());
        Assert.Equal([(1L, 0, $"receivedAt: {ahead} is 3600 s ahead of the cloud's clock (at most 300 s accepted); the gateway's clock is wrong")],
            Rejected(answer));

        // The clock error is visible in the gateway API and raises an alarm.
        var gateway = (await _admin.GetFromJsonAsync<JsonElement>("/api/v1/gateways")).EnumerateArray().Single(g => g.GetProperty("id").GetString() == Owner);
        Assert.Equal((3600L, t), (gateway.GetProperty("clockOffsetS").GetInt64(), gateway.GetProperty("clockMeasuredAt").GetInt64()));
        var clockAlarm = Assert.Single(await ActiveAlarmsAsync());
        Assert.Equal(("gateway.clock", Owner, "major"), (clockAlarm.Kind, clockAlarm.Gateway, clockAlarm.Severity));

        // The refused state did not pin the node: later heartbeats move it as they should.
        _clock.Advance(60);
        await PostAsync(Owner, OwnerToken, Batch(Owner, _clock.UnixNow, Records.State(5, "sl-0001", _clock.UnixNow - 1, "online", 1)));
        await _server.App.Services.GetRequiredService<RecordFeed>().RunOnceAsync(); // node state follows the records
        Assert.Equal("online", (await Inventory.GetNodeAsync("sl-0001")).Status);

        // Within bounds again: the alarm clears and the offset follows.
        Assert.Empty(await ActiveAlarmsAsync());
        gateway = (await _admin.GetFromJsonAsync<JsonElement>("/api/v1/gateways")).EnumerateArray().Single(g => g.GetProperty("id").GetString() == Owner);
        Assert.Equal(0, gateway.GetProperty("clockOffsetS").GetInt64());
    }
}

public sealed class SqliteIngestIntegrityTests : IngestIntegrityTests
{
    protected override Task<IDictionary<string, string?>> StorageSettingsAsync() =>
        Task.FromResult<IDictionary<string, string?>>(new Dictionary<string, string?>());
}

public sealed class PostgresIngestIntegrityTests : IngestIntegrityTests
{
    private TestPostgres? _database;

    protected override async Task<IDictionary<string, string?>> StorageSettingsAsync()
    {
        _database = await TestPostgres.CreateAsync();
        return new Dictionary<string, string?>
        {
            ["Storage:Provider"] = "Postgres",
            ["Storage:PostgresConnectionString"] = _database.ConnectionString,
        };
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (_database is not null) await _database.DisposeAsync();
    }
}
