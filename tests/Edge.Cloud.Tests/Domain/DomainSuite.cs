using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Edge.Cloud.Alarms;
using Edge.Cloud.Audit;
using Edge.Cloud.Commands;
using Edge.Cloud.Desired;
using Edge.Cloud.Domain;
using Edge.Cloud.Gateways;
using Edge.Cloud.History;
using Edge.Cloud.Ingestion;
using Edge.Cloud.Inventory;
using Edge.Cloud.Lighting;
using Edge.Cloud.Storage;
using Edge.Cloud.Storage.Migrations;
using Edge.Cloud.Tests.Support;
using Edge.Cloud.Users;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Edge.Tests.Metrics;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Cloud.Tests.Domain;

/// <summary>
/// The domain services on a real database: every test runs on SQLite (<see cref="SqliteDomainTests"/>) and
/// PostgreSQL (<see cref="PostgresDomainTests"/>), through the same DI wiring the app uses.
/// </summary>
public abstract class DomainSuite : IAsyncLifetime
{
    protected const string Gateway = "gw-igoumenitsa-1";
    protected const string Site = Records.Site;
    protected ManualClock Clock { get; } = new(1767304800);
    protected ServiceProvider Services { get; private set; } = null!;
    protected IStorageConnections Connections { get; private set; } = null!;

    protected abstract Task<IStorageConnections> CreateConnectionsAsync();

    protected abstract IIngestStore CreateStore(IStorageConnections connections, TimeProvider time);

    public async Task InitializeAsync()
    {
        Connections = await CreateConnectionsAsync();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<TimeProvider>(Clock);
        services.AddSingleton(Connections);
        services.AddSingleton<IMigrationSource, IngestSchema>();
        services.AddSingleton<IMigrationSource, IntegritySchema>();
        services.AddSingleton<Migrator>();
        services.AddSingleton(sp => CreateStore(Connections, Clock));
        services.AddSingleton<IGatewayStore, SqlGatewayStore>();
        services.AddSingleton<GatewayRegistry>();
        services.AddRecordAdmission();
        services.AddSingleton<OutboxEpochs>();
        services.AddSingleton<BatchIngestor>();
        services.AddSingleton<IMigrationSource, UserSchema>();
        services.AddSingleton<UserService>();
        services.AddEdgeAudit();
        services.AddEdgeDomain();
        services.AddEdgeInventory();
        services.AddEdgeLighting();
        services.AddEdgeDesiredState();
        services.AddEdgeCommands();
        services.AddEdgeAlarms(new ConfigurationBuilder().Build());
        services.AddEdgeHistory();
        Services = services.BuildServiceProvider();
        await Services.GetRequiredService<Migrator>().MigrateAsync();
        await Services.GetRequiredService<GatewayRegistry>().RegisterAsync(Gateway);
        var inventory = Inventory;
        await inventory.PutSiteAsync("installer", Site, new SiteRequest("Igoumenitsa", null));
        await inventory.PutZoneAsync("installer", "zone-3", new ZoneRequest(Site, "Stream 3"));
        await inventory.PutGroupAsync("installer", "harbour-road", new GroupRequest(Site, "Harbour road"));
        await inventory.PutGroupAsync("installer", "old-town", new GroupRequest(Site, "Old town"));
    }

    public virtual async Task DisposeAsync()
    {
        await Services.DisposeAsync();
        (Connections as IDisposable)?.Dispose();
    }

    protected InventoryService Inventory => Services.GetRequiredService<InventoryService>();
    protected ProfileService Profiles => Services.GetRequiredService<ProfileService>();
    protected CommandService Commands => Services.GetRequiredService<CommandService>();
    protected DownlinkService Downlink => Services.GetRequiredService<DownlinkService>();
    protected RecordFeed Feed => Services.GetRequiredService<RecordFeed>();
    protected AlarmService Alarms => Services.GetRequiredService<AlarmService>();
    protected HistoryService History => Services.GetRequiredService<HistoryService>();

    protected Task<NodeInfo> AddLightAsync(string id, string group = "harbour-road", string? gateway = Gateway) =>
        Inventory.PutNodeAsync("installer", id, new NodeRequest(Site, "streetlight", gateway, "LED-60W", "1.2.0", 39.5034, 20.2656, "P-" + id, "zone-3", group, null, null));

    protected Task<NodeInfo> AddGaugeAsync(string id, string? gateway = Gateway) =>
        Inventory.PutNodeAsync("installer", id, new NodeRequest(Site, "waterlevel", gateway, null, null, 39.5, 20.27, null, "zone-3", null, null, null));

    protected static byte[] Utf8(object json) => Encoding.UTF8.GetBytes(json.ToString()!);

    protected async Task IngestAsync(params System.Text.Json.Nodes.JsonObject[] records)
    {
        await StoreAsync(records);
        await Feed.RunOnceAsync();
    }

    /// <summary>Ingests records as a batch would, without running a feed pass.</summary>
    private Task StoreAsync(params System.Text.Json.Nodes.JsonObject[] records) => StoreFromAsync(Gateway, records);

    /// <summary>Ingests records as a batch of <paramref name="gateway"/> would, without running a feed pass.</summary>
    private async Task StoreFromAsync(string gateway, params System.Text.Json.Nodes.JsonObject[] records)
    {
        var batch = Records.Batch(gateway, records);
        using var document = JsonDocument.Parse(batch.ToJsonString());
        var response = await Services.GetRequiredService<BatchIngestor>().IngestAsync(gateway, document.RootElement.GetProperty("records").EnumerateArray().ToList());
        Assert.Empty(response.Rejected);
    }

    /// <summary>Reads until <paramref name="done"/> holds; the limit only stops a hang (never a timing assertion).</summary>
    private static async Task<T> EventuallyAsync<T>(Func<Task<T>> read, Func<T, bool> done)
    {
        var limit = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var value = await read();
            if (done(value)) return value;
            if (DateTime.UtcNow > limit) throw new TimeoutException("condition not reached; last value: " + value);
            await Task.Delay(10);
        }
    }

    [Fact]
    public async Task One_parameter_of_many_values_matches_exactly_those_values_however_they_are_written()
    {
        // Admission's node lookup and the feed's alarm lookup pass a batch's values as one parameter (a JSON array on
        // SQLite, a text array on PostgreSQL). Values that JSON escapes must come back equal, and 600 of them (more than
        // a batch's nodes) must all be matched; so must ids that look like numbers (node ids may be all digits).
        string[] awkward = ["plain", "quote\"d", "it's", "back\\slash", "tab\there", "Ηγουμενίτσα", "a+b<c>&d", "", "0042", "1e3", "lamp.fault|igoumenitsa/lamp-1"];
        var wanted = awkward.Concat(Enumerable.Range(0, 600).Select(i => $"lamp-{i:D4}")).ToList();
        var table = string.Join(", ", wanted.Concat(["not-asked", "Ηγουμενιτσα", "42", "1000"]).Select(v => "('" + v.Replace("'", "''") + "')"));
        await using var tx = await Tx.ReadAsync(Connections);

        var (match, parameter) = tx.AnyOf("v", "@v", wanted);
        var found = await tx.QueryAsync($"WITH t(v) AS (VALUES {table}) SELECT v FROM t WHERE {match}", r => r.GetString(0), parameter);
        Assert.Equal(wanted.Order(StringComparer.Ordinal), found.Order(StringComparer.Ordinal));

        var (none, empty) = tx.AnyOf("v", "@v", []);
        Assert.Empty(await tx.QueryAsync($"WITH t(v) AS (VALUES {table}) SELECT v FROM t WHERE {none}", r => r.GetString(0), empty));
    }

    [Fact]
    public async Task Assigning_a_profile_to_a_group_bumps_every_member_and_a_node_assignment_overrides_it()
    {
        foreach (var id in new[] { "sl-0001", "sl-0002", "sl-0003" }) await AddLightAsync(id);
        await AddLightAsync("sl-0100", group: "old-town");
        await Profiles.PutAsync("tech", "residential", Utf8(Documents.Schedule(50)));
        await Profiles.PutAsync("tech", "festival", Utf8(Documents.Schedule(80)));

        var first = await Profiles.AssignToGroupAsync("tech", "harbour-road", "residential");
        Assert.Equal(["sl-0001", "sl-0002", "sl-0003"], first.Configs.Select(c => c.Node).Order());
        Assert.All(first.Configs, c => Assert.Equal(1, c.Version));
        Assert.Null(await Services.GetRequiredService<DesiredConfigs>().GetAsync("sl-0100")); // other group untouched

        await Profiles.AssignToNodeAsync("tech", "sl-0002", "festival");
        await Profiles.PutAsync("tech", "residential", Utf8(Documents.Schedule(30))); // feeds sl-0001 and sl-0003 only
        var versions = new Dictionary<string, long>();
        foreach (var id in new[] { "sl-0001", "sl-0002", "sl-0003" }) versions[id] = (await Inventory.GetNodeAsync(id)).DesiredConfigVersion!.Value;
        Assert.Equal(new Dictionary<string, long> { ["sl-0001"] = 2, ["sl-0002"] = 2, ["sl-0003"] = 2 }, versions);

        var config = (await Services.GetRequiredService<DesiredConfigs>().GetAsync("sl-0002"))!.Document!.Value;
        Assert.Equal(80, config.GetProperty("lighting").GetProperty("profiles")[0].GetProperty("points")[1].GetProperty("level").GetInt32());
        Assert.Equal(2, config.GetProperty("version").GetInt64());
        Assert.Equal(39.5034, config.GetProperty("node").GetProperty("lat").GetDouble());
        Assert.Equal("EET-2EEST,M3.5.0/3,M10.5.0/4", config.GetProperty("node").GetProperty("tz").GetString());

        // The same assignment again changes nothing, so no version is spent.
        Assert.Empty((await Profiles.AssignToGroupAsync("tech", "harbour-road", "residential")).Configs);
        // A site time-zone change feeds every node of the site.
        await Inventory.PutSiteAsync("installer", Site, new SiteRequest("Igoumenitsa", "UTC0"));
        Assert.Equal(3, (await Inventory.GetNodeAsync("sl-0001")).DesiredConfigVersion);
    }

    [Fact]
    public async Task A_flood_rule_banner_goes_to_the_gateway_with_its_title_and_a_title_too_long_is_refused_by_field()
    {
        var rules = Services.GetRequiredService<FloodRuleService>();
        await AddLightAsync("sl-0001"); // the rule goes to the gateways with nodes in its zone
        await rules.PutAsync("tech", "flood-zone-3", new FloodRuleRequest("zone-3", ["warning"],
            new FloodRuleActions(new BannerText("Η στάθμη ανεβαίνει.", "The water is rising.", new BannerTitle("Κίνδυνος πλημμύρας", "Flood warning")), null, null)));
        var sent = Assert.Single((await Downlink.PollAsync(Gateway, null, CancellationToken.None))!.Rules);
        Assert.Equal(new BannerTitle("Κίνδυνος πλημμύρας", "Flood warning"), sent.Actions.Banner!.Title);
        Assert.Equal("The water is rising.", sent.Actions.Banner.En);

        var e = await Assert.ThrowsAsync<DomainException>(() => rules.PutAsync("tech", "flood-zone-3", new FloodRuleRequest("zone-3", ["warning"],
            new FloodRuleActions(new BannerText("x", "x", new BannerTitle(new string('α', 61), "Flood warning")), null, null))));
        Assert.Equal(["actions.banner.title.el: 1..60 characters required"], e.Errors);
    }

    [Fact]
    public async Task A_light_without_position_cannot_get_a_config_the_node_would_reject()
    {
        await Inventory.PutNodeAsync("installer", "sl-0009", new NodeRequest(Site, "streetlight", Gateway, null, null, null, null, null, null, "harbour-road", null, null));
        await Profiles.PutAsync("tech", "residential", Utf8(Documents.Schedule()));
        var e = await Assert.ThrowsAsync<DomainException>(() => Profiles.AssignToGroupAsync("tech", "harbour-road", "residential"));
        Assert.Contains(e.Errors, x => x.StartsWith("node sl-0009: node.lat", StringComparison.Ordinal));
        Assert.Null((await Inventory.GetGroupAsync("harbour-road")).Profile); // rolled back
    }

    [Fact]
    public async Task Downlink_sends_everything_first_then_only_changes_after_the_cursor()
    {
        await AddLightAsync("sl-0001");
        await AddLightAsync("sl-0002");
        var secret = await Inventory.NewSecretAsync("installer", "sl-0001");
        await Profiles.PutAsync("tech", "residential", Utf8(Documents.Schedule()));
        await Profiles.AssignToGroupAsync("tech", "harbour-road", "residential");
        await Services.GetRequiredService<FloodRuleService>().PutAsync("tech", "flood-zone-3",
            new FloodRuleRequest("zone-3", ["warning", "alarm"], new FloodRuleActions(new BannerText("Κίνδυνος πλημμύρας", "Flood warning"), 100, new SirenOutput(17, true))));

        var full = (await Downlink.PollAsync(Gateway, null, CancellationToken.None))!;
        Assert.True(full.Full);
        Assert.Equal(["sl-0001", "sl-0002"], full.Configs.Select(c => c.Node));
        Assert.Equal(["sl-0001", "sl-0002"], full.Nodes.Select(n => n.Node));
        Assert.Equal("flood-zone-3", Assert.Single(full.Rules).Id);
        Assert.True(SecretMatches(secret.Secret, full.Nodes[0].SecretHash!));
        Assert.Null(full.Nodes[1].SecretHash);

        Assert.Null(await Downlink.PollAsync(Gateway, DownlinkService.ParseCursor(full.Cursor), CancellationToken.None));

        await Profiles.AssignToNodeAsync("tech", "sl-0002", null); // no content change: nothing new
        await Profiles.PutAsync("tech", "other", Utf8(Documents.Schedule(20)));
        await Profiles.AssignToNodeAsync("tech", "sl-0002", "other");
        var next = (await Downlink.PollAsync(Gateway, DownlinkService.ParseCursor(full.Cursor), CancellationToken.None))!;
        Assert.False(next.Full);
        var config = Assert.Single(next.Configs);
        Assert.Equal(("sl-0002", 2L), (config.Node, config.Version));
        Assert.Empty(next.Nodes);

        // Moving a node to another gateway tells the old one to drop it.
        await Services.GetRequiredService<GatewayRegistry>().RegisterAsync("gw-plataria-1");
        await AddLightAsync("sl-0001", gateway: "gw-plataria-1");
        var moved = (await Downlink.PollAsync(Gateway, DownlinkService.ParseCursor(next.Cursor), CancellationToken.None))!;
        Assert.True(Assert.Single(moved.Nodes).Removed);
        Assert.Equal("sl-0001", (await Downlink.PollAsync("gw-plataria-1", null, CancellationToken.None))!.Nodes.Single().Node);
    }

    /// <summary>Independent check of the gateway's hash format: pbkdf2-sha256$iterations$salt$hash.</summary>
    private static bool SecretMatches(string secret, string stored)
    {
        var parts = stored.Split('$');
        Assert.Equal("pbkdf2-sha256", parts[0]);
        var hash = System.Security.Cryptography.Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(secret), Convert.FromBase64String(parts[2]),
            int.Parse(parts[1]), System.Security.Cryptography.HashAlgorithmName.SHA256, 32);
        return Convert.ToBase64String(hash) == parts[3];
    }

    [Fact]
    public async Task A_command_goes_pending_delivered_acked_and_another_expires()
    {
        await AddLightAsync("sl-0001");
        var cursor = (await Downlink.PollAsync(Gateway, null, CancellationToken.None))!.Cursor;
        var request = new CommandRequest("override", new System.Text.Json.Nodes.JsonObject { ["level"] = 100, ["durationS"] = 3600, ["reason"] = "event" }, 300);
        var command = await Commands.IssueAsync("tech", "sl-0001", request);
        Assert.Equal(CommandStatus.Pending, command.Status);
        Assert.Equal(Clock.UnixNow + 3600, command.Args.GetProperty("until").GetInt64());

        var poll = (await Downlink.PollAsync(Gateway, DownlinkService.ParseCursor(cursor), CancellationToken.None))!;
        var sent = Assert.Single(poll.Commands);
        Assert.Equal(command.Id, sent.Command["id"]!.GetValue<string>());
        Assert.Equal(CommandStatus.Delivered, (await Commands.GetAsync(command.Id)).Status);

        await IngestAsync(Records.Ack(1, "sl-0001", Clock.UnixNow + 5, command.Id));
        var acked = await Commands.GetAsync(command.Id);
        Assert.Equal((CommandStatus.Acked, "ok"), (acked.Status, acked.Result));

        var other = await Commands.IssueAsync("tech", "sl-0001", new CommandRequest("identify", null, 60));
        Clock.Advance(61);
        await Feed.RunOnceAsync();
        Assert.Equal(CommandStatus.Expired, (await Commands.GetAsync(other.Id)).Status);
        Assert.Empty((await Downlink.PollAsync(Gateway, null, CancellationToken.None))!.Commands);

        var audit = await Services.GetRequiredService<AuditLog>().ListAsync("node:sl-0001", null, null, 100);
        Assert.Equal(2, audit.Count(a => a.Action == "command.issue" && a.Actor == "tech"));
    }

    [Fact]
    public async Task The_running_feed_completes_a_command_when_its_ack_is_stored_and_records_each_step_in_milliseconds()
    {
        using var metrics = new MeterReader(Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());
        await AddLightAsync("sl-0001");
        var cursor = (await Downlink.PollAsync(Gateway, null, CancellationToken.None))!.Cursor;
        var issuedMs = Clock.Now.ToUnixTimeMilliseconds();
        var command = await Commands.IssueAsync("tech", "sl-0001", new CommandRequest("identify", null, 300));
        Clock.Now = Clock.Now.AddMilliseconds(120);
        Assert.Single((await Downlink.PollAsync(Gateway, DownlinkService.ParseCursor(cursor), CancellationToken.None))!.Commands);

        // The feed as the app runs it, but with a periodic pass a day apart: only a stored record can wake it.
        using var feed = new RecordFeed(Connections, Commands, Clock, Microsoft.Extensions.Options.Options.Create(new AlarmOptions { IntervalS = 86400 }),
            Services.GetRequiredService<RecordArrivals>(), Services.GetRequiredService<Edge.Cloud.Telemetry.CloudMetrics>(), NullLogger<RecordFeed>.Instance);
        await feed.StartAsync(CancellationToken.None);
        try
        {
            // A first record, applied by whichever pass comes first, so the ack below surely arrives after a pass.
            await StoreAsync(Records.State(1, "sl-0001", Clock.UnixNow, "online", null));
            await EventuallyAsync(async () =>
            {
                await using var read = await Tx.ReadAsync(Connections);
                return await read.LongAsync("SELECT seq FROM record_feed WHERE gateway = @g", ("@g", Gateway)) ?? 0;
            }, seq => seq == 1);

            Clock.Now = Clock.Now.AddMilliseconds(250);
            await StoreAsync(Records.Ack(2, "sl-0001", Clock.UnixNow, command.Id));
            var acked = await EventuallyAsync(() => Commands.GetAsync(command.Id), c => c.Status != CommandStatus.Delivered);

            Assert.Equal((CommandStatus.Acked, "ok"), (acked.Status, acked.Result));
            Assert.Equal((issuedMs, issuedMs + 120, issuedMs + 370), (acked.IssuedAtMs, acked.DeliveredAtMs, acked.ResultAtMs));
            Assert.Equal((issuedMs / 1000, (issuedMs + 120) / 1000), (acked.Issued, acked.DeliveredAt));
            // The same steps as instruments: issued, completed as acked, 370 ms from issue to the applied ack.
            Assert.Equal(1, metrics.Get("edge.cloud.commands.issued", "kind", "identify"));
            Assert.Equal(1, metrics.Get("edge.cloud.commands.completed", "status", "acked"));
            Assert.Equal(1, metrics.Count("edge.cloud.commands.latency", "status", "acked"));
            Assert.Equal(0.370, metrics.Get("edge.cloud.commands.latency", "status", "acked"), 6);

            // Node state follows the stored records the same way: derived by the woken feed, not a periodic pass.
            Clock.Now = Clock.Now.AddSeconds(5);
            await StoreAsync(Records.State(3, "sl-0001", Clock.UnixNow, "asleep", 7));
            var node = await EventuallyAsync(() => Inventory.GetNodeAsync("sl-0001"), n => n.Status == "asleep");
            Assert.Equal(7L, node.AppliedConfigVersion);
        }
        finally
        {
            await feed.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task One_read_serves_node_state_and_alarms_so_a_failed_pass_moves_neither_cursor_and_the_next_applies_both_once()
    {
        await AddLightAsync("sl-0001");
        await StoreAsync(Records.State(1, "sl-0001", Clock.UnixNow, "asleep", 7), Records.LampFault(2, "sl-0001", Clock.UnixNow));
        // The fault's stored payload made unreadable for the alarm rules (an array where an object belongs): the pass
        // fails at the alarm step, after node state was worked out from the same records — a crash between the two.
        await ExecAsync("UPDATE records SET payload = '[]' WHERE gateway = @g AND seq = 2");
        ReadBack();
        await Assert.ThrowsAsync<InvalidOperationException>(() => Feed.RunOnceAsync());

        // Nothing of the pass is kept: node state and both cursors are where they were, so nothing is lost or done twice.
        Assert.Equal((null, null), (await CursorAsync("node_state_feed"), await CursorAsync("record_feed")));
        Assert.NotEqual("asleep", (await Inventory.GetNodeAsync("sl-0001")).Status);

        await ExecAsync("UPDATE records SET payload = (SELECT e.payload FROM events e WHERE e.gateway = records.gateway AND e.epoch = records.epoch AND e.seq = records.seq) WHERE gateway = @g AND seq = 2");
        await Feed.RunOnceAsync();
        Assert.Equal((2L, 2L), (await CursorAsync("node_state_feed"), await CursorAsync("record_feed")));
        var node = await Inventory.GetNodeAsync("sl-0001");
        Assert.Equal(("asleep", 7L), (node.Status, node.AppliedConfigVersion));
        Assert.Equal(("lamp.fault", "sl-0001"), Assert.Single(await Alarms.ListAsync("open", null, null, 10)) is var a ? (a.Kind, a.Node) : default);

        // Node state's cursor behind the alarms' (as a feed of an earlier version could leave it, reading node state
        // first): the next read starts at the lower cursor, node state catches up and no alarm is applied twice.
        await ExecAsync("UPDATE node_state_feed SET seq = 0 WHERE gateway = @g");
        await StoreAsync(Records.State(3, "sl-0001", Clock.UnixNow + 60, "online", 8));
        await Feed.RunOnceAsync();
        Assert.Equal((3L, 3L), (await CursorAsync("node_state_feed"), await CursorAsync("record_feed")));
        Assert.Equal(("online", 8L), (await Inventory.GetNodeAsync("sl-0001")) is var n ? (n.Status, n.AppliedConfigVersion) : default);
        Assert.Single(await Alarms.ListAsync("open", null, null, 10));
    }

    /// <summary>Stores records through the store alone, as another cloud process would: this one is not told.</summary>
    private async Task StoreElsewhereAsync(params System.Text.Json.Nodes.JsonObject[] records)
    {
        using var document = JsonDocument.Parse(Records.Batch(Gateway, records).ToJsonString());
        var valid = document.RootElement.GetProperty("records").EnumerateArray().Select(r => RecordValidator.Validate(Gateway, r).Record!).ToList();
        Assert.Equal(new StoreResult(records.Length, 0), await Services.GetRequiredService<IIngestStore>().StoreAsync(valid));
    }

    /// <summary>Drops the records ingestion held for the feed, so that its next pass reads the stream back from the
    /// database, where a test has changed a stored payload (as if another process had stored the records).</summary>
    private void ReadBack() => Services.GetRequiredService<RecordArrivals>().TakeHeld(Gateway, "");

    [Fact]
    public async Task Records_ingestion_held_are_applied_without_reading_them_back_only_when_their_seq_runs_on_from_the_cursor()
    {
        await AddLightAsync("sl-0001");
        await AddLightAsync("sl-0002");
        // A new stream's cursor is before any seq: its first batch is read back.
        var held = Feed.ChunksHeld;
        await StoreAsync(Records.Streetlight(1, "sl-0001", Clock.UnixNow, 40));
        await Feed.RunArrivedAsync();
        Assert.Equal(0, Feed.ChunksHeld - held);

        // Stored through ingestion, then the stored copy spoilt: a pass that read it back would fail on it.
        await StoreAsync(Records.State(2, "sl-0001", Clock.UnixNow, "asleep", 7));
        await ExecAsync("UPDATE records SET payload = '[]' WHERE gateway = @g AND seq = 2");
        await Feed.RunArrivedAsync();
        Assert.Equal(1, Feed.ChunksHeld - held);
        Assert.Equal((2L, 2L), (await CursorAsync("node_state_feed"), await CursorAsync("record_feed")));
        Assert.Equal(("asleep", 7L), (await Inventory.GetNodeAsync("sl-0001")) is var n ? (n.Status, n.AppliedConfigVersion) : default);

        // Seq 4 stored by another writer (as another cloud process would), between two held batches: the held records
        // 3 and 5 leave a gap, so the stream is read and 4 is applied.
        await StoreAsync(Records.Streetlight(3, "sl-0001", Clock.UnixNow, 40));
        await StoreElsewhereAsync(Records.State(4, "sl-0002", Clock.UnixNow, "online", 9));
        await StoreAsync(Records.Streetlight(5, "sl-0001", Clock.UnixNow, 40));
        await Feed.RunArrivedAsync();
        Assert.Equal(1, Feed.ChunksHeld - held);
        Assert.Equal((5L, 5L), (await CursorAsync("node_state_feed"), await CursorAsync("record_feed")));
        Assert.Equal(("online", 9L), (await Inventory.GetNodeAsync("sl-0002")) is var m ? (m.Status, m.AppliedConfigVersion) : default);

        // A batch with a record stored before (a retry whose first attempt another process stored, not applied yet) is
        // not held: the stored record counts, not the retry's other content, and the new one is read back with it.
        await StoreElsewhereAsync(Records.State(6, "sl-0002", Clock.UnixNow, "asleep", 10));
        await StoreAsync(Records.State(6, "sl-0002", Clock.UnixNow, "online", 11), Records.Streetlight(7, "sl-0001", Clock.UnixNow, 40));
        await Feed.RunArrivedAsync();
        Assert.Equal(1, Feed.ChunksHeld - held);
        Assert.Equal((7L, 7L), (await CursorAsync("node_state_feed"), await CursorAsync("record_feed")));
        Assert.Equal(("asleep", 10L), (await Inventory.GetNodeAsync("sl-0002")) is var k ? (k.Status, k.AppliedConfigVersion) : default);
        Assert.Equal(0, Services.GetRequiredService<RecordArrivals>().HeldCount);
    }

    [Fact]
    public async Task A_node_sending_telemetry_every_10_s_has_last_seen_within_the_resolution_of_the_truth_written_once_a_resolution()
    {
        await AddLightAsync("sl-0001");
        var start = Clock.UnixNow;
        var writes = Feed.NodeStatesWritten;
        var seen = new List<long>();
        // Five minutes of telemetry every 10 s, a feed pass after each record (the default resolution: 60 s).
        for (var i = 0; i < 30; i++)
        {
            var truth = start + 10 * i;
            Clock.Now = DateTimeOffset.FromUnixTimeSeconds(truth);
            await IngestAsync(Records.Streetlight(i + 1, "sl-0001", truth, 40));
            var lastSeen = (await NodeRowAsync("sl-0001")).LastSeen;
            Assert.InRange(truth - lastSeen, 0, 59);
            seen.Add(lastSeen);
        }
        // The row written at 0, 60, 120, 180 and 240 s: five writes for thirty records.
        Assert.Equal(5, Feed.NodeStatesWritten - writes);
        Assert.Equal([0L, 60, 120, 180, 240], seen.Distinct().Select(s => s - start));

        // Resolution 0 (as before): every record that moves last_seen is written, and last_seen is the truth.
        using var everyTime = new RecordFeed(Connections, Commands, Clock, Microsoft.Extensions.Options.Options.Create(new AlarmOptions { LastSeenResolutionSeconds = 0 }),
            Services.GetRequiredService<RecordArrivals>(), Services.GetRequiredService<Edge.Cloud.Telemetry.CloudMetrics>(), NullLogger<RecordFeed>.Instance);
        for (var i = 30; i < 33; i++)
        {
            Clock.Now = DateTimeOffset.FromUnixTimeSeconds(start + 10 * i);
            await StoreAsync(Records.Streetlight(i + 1, "sl-0001", start + 10 * i, 40));
            await everyTime.RunOnceAsync();
            Assert.Equal(start + 10 * i, (await NodeRowAsync("sl-0001")).LastSeen);
        }
        Assert.Equal(3, everyTime.NodeStatesWritten);
    }

    [Fact]
    public async Task A_state_change_or_a_new_gateway_inside_the_resolution_is_written_at_once()
    {
        const string other = "gw-igoumenitsa-2";
        await Services.GetRequiredService<GatewayRegistry>().RegisterAsync(other);
        await AddLightAsync("sl-0001");
        var start = Clock.UnixNow;
        await IngestAsync(Records.Streetlight(1, "sl-0001", start, 40));
        var writes = Feed.NodeStatesWritten;

        // 10 s later a state: written at once, its status and last_seen, not at the next resolution step.
        Clock.Advance(10);
        await IngestAsync(Records.State(2, "sl-0001", start + 10, "asleep", 7));
        Assert.Equal(("asleep", start + 10, Gateway), await NodeRowAsync("sl-0001"));
        Assert.Equal(1, Feed.NodeStatesWritten - writes);

        // Telemetry 10 s after that changes nothing but last_seen: not written yet.
        Clock.Advance(10);
        await IngestAsync(Records.Streetlight(3, "sl-0001", start + 20, 40));
        Assert.Equal(("asleep", start + 10, Gateway), await NodeRowAsync("sl-0001"));
        Assert.Equal(1, Feed.NodeStatesWritten - writes);

        // The node moved to another gateway: its first record from there is written at once, gateway and last_seen.
        await AddLightAsync("sl-0001", gateway: other);
        Clock.Advance(10);
        await StoreFromAsync(other, Records.Streetlight(1, "sl-0001", start + 30, 40));
        await Feed.RunOnceAsync();
        Assert.Equal(("asleep", start + 30, other), await NodeRowAsync("sl-0001"));
        Assert.Equal(2, Feed.NodeStatesWritten - writes);
    }

    [Fact]
    public async Task A_rolled_back_feed_pass_leaves_the_last_seen_cache_as_it_was()
    {
        await AddLightAsync("sl-0001");
        var start = Clock.UnixNow;
        await IngestAsync(Records.Streetlight(1, "sl-0001", start, 40));
        var writes = Feed.NodeStatesWritten;

        // A minute later telemetry that is due to be written, and a fault the alarm rules cannot read (an array where an
        // object belongs): the pass writes node state, then fails before its commit.
        Clock.Advance(60);
        await StoreAsync(Records.Streetlight(2, "sl-0001", start + 60, 40), Records.LampFault(3, "sl-0001", start + 60));
        await ExecAsync("UPDATE records SET payload = '[]' WHERE gateway = @g AND seq = 3");
        ReadBack();
        await Assert.ThrowsAsync<InvalidOperationException>(() => Feed.RunOnceAsync());
        Assert.Equal(start, (await NodeRowAsync("sl-0001")).LastSeen);
        Assert.Equal(writes, Feed.NodeStatesWritten);

        // Repaired, the next pass reads the same records: the cache still says the row was written at `start`, so it is
        // written now. A cache that had noted the rolled-back write would skip it, leaving last_seen a minute behind.
        await ExecAsync("UPDATE records SET payload = (SELECT e.payload FROM events e WHERE e.gateway = records.gateway AND e.epoch = records.epoch AND e.seq = records.seq) WHERE gateway = @g AND seq = 3");
        await Feed.RunOnceAsync();
        Assert.Equal(start + 60, (await NodeRowAsync("sl-0001")).LastSeen);
        Assert.Equal(1, Feed.NodeStatesWritten - writes);
    }

    [Fact]
    public void A_last_seen_resolution_that_is_negative_or_above_half_the_shortest_grace_is_refused_at_start_naming_the_setting()
    {
        // The defaults (OfflineGraceS 120, AsleepGraceS 600, GatewayOfflineMinutes 10) allow 0..60; each grace bounds it.
        (Dictionary<string, string?> Settings, bool Refused)[] cases =
        [
            (new() { ["Alarms:LastSeenResolutionSeconds"] = "-1" }, true),
            (new() { ["Alarms:LastSeenResolutionSeconds"] = "61" }, true),
            (new() { ["Alarms:LastSeenResolutionSeconds"] = "60" }, false),
            (new() { ["Alarms:LastSeenResolutionSeconds"] = "0" }, false),
            (new() { ["Alarms:LastSeenResolutionSeconds"] = "31", ["Alarms:OfflineGraceS"] = "60" }, true),
            (new() { ["Alarms:LastSeenResolutionSeconds"] = "21", ["Alarms:AsleepGraceS"] = "40" }, true),
            (new() { ["Alarms:LastSeenResolutionSeconds"] = "31", ["Alarms:GatewayOfflineMinutes"] = "1" }, true),
            (new() { ["Alarms:LastSeenResolutionSeconds"] = "30", ["Alarms:GatewayOfflineMinutes"] = "1" }, false),
        ];
        foreach (var (settings, refused) in cases)
        {
            using var services = new ServiceCollection().AddLogging()
                .AddEdgeAlarms(new ConfigurationBuilder().AddInMemoryCollection(settings).Build()).BuildServiceProvider();
            // What the host runs when it starts (ValidateOnStart), before any hosted service.
            var atStart = services.GetRequiredService<Microsoft.Extensions.Options.IStartupValidator>();
            if (!refused)
            {
                atStart.Validate();
                continue;
            }
            var error = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(atStart.Validate);
            Assert.Contains("Alarms:LastSeenResolutionSeconds", error.Message);
        }
    }

    private async Task<(string? Status, long LastSeen, string Gateway)> NodeRowAsync(string node)
    {
        await using var read = await Tx.ReadAsync(Connections);
        var rows = await read.QueryAsync("SELECT status, last_seen, gateway FROM node_state WHERE site = @s AND node = @n",
            r => (r.Str(0), r.GetInt64(1), r.GetString(2)), ("@s", Site), ("@n", node));
        return Assert.Single(rows);
    }

    private async Task<long?> CursorAsync(string table)
    {
        await using var read = await Tx.ReadAsync(Connections);
        return await read.LongAsync($"SELECT seq FROM {table} WHERE gateway = @g AND epoch = ''", ("@g", Gateway));
    }

    private async Task ExecAsync(string sql)
    {
        await using var tx = await Tx.BeginAsync(Connections);
        await tx.ExecAsync(sql, ("@g", Gateway));
        await tx.CommitAsync();
    }

    [Fact]
    public async Task A_batch_from_one_gateway_wakes_the_feed_for_that_gateways_records_only()
    {
        const string other = "gw-igoumenitsa-2";
        await Services.GetRequiredService<GatewayRegistry>().RegisterAsync(other);
        await AddLightAsync("sl-0001");
        await AddLightAsync("sl-0002", gateway: other);
        // The other gateway's fault is stored without telling this process's feed (as another cloud process stores).
        await Services.GetRequiredService<OutboxEpochs>().NoteAsync(other, "");
        using (var document = JsonDocument.Parse(Records.Batch(other, Records.LampFault(1, "sl-0002", Clock.UnixNow)).ToJsonString()))
        {
            var record = RecordValidator.Validate(other, document.RootElement.GetProperty("records")[0]).Record!;
            Assert.Equal(1, (await Services.GetRequiredService<IIngestStore>().StoreAsync([record])).Stored);
        }
        Services.GetRequiredService<RecordArrivals>().TakePending(); // earlier set-up notifications, if any
        await StoreAsync(Records.LampFault(1, "sl-0001", Clock.UnixNow));

        var streamsBefore = Feed.StreamsRead;
        await Feed.RunArrivedAsync();
        Assert.Equal(1, Feed.StreamsRead - streamsBefore);
        Assert.Equal(["sl-0001"], (await Alarms.ListAsync("open", null, null, 10)).Select(a => a.Node));
        await using (var read = await Tx.ReadAsync(Connections))
        {
            Assert.Null(await read.LongAsync("SELECT seq FROM record_feed WHERE gateway = @g", ("@g", other)));
        }

        // The periodic pass reads every stream, so the other gateway's record is applied there.
        await Feed.RunOnceAsync();
        Assert.Equal(["sl-0001", "sl-0002"], (await Alarms.ListAsync("open", null, null, 10)).Select(a => a.Node).Order());
    }

    [Fact]
    public async Task A_feed_behind_by_several_batches_catches_up_in_chunks_of_the_configured_size_and_applies_each_record_once()
    {
        await AddLightAsync("sl-0001");
        await AddLightAsync("sl-0002");
        // Five batches of 120 records stored with no pass in between (a feed that is behind): telemetry of both lights, a
        // lamp fault in the first batch, sl-0002's state last.
        async Task StoreBacklogAsync(long first, string status, long configVersion)
        {
            for (var batch = 0; batch < 5; batch++)
            {
                var records = Enumerable.Range(0, 120).Select(i => first + batch * 120 + i)
                    .Select(seq => seq == first + 5 ? Records.LampFault(seq, "sl-0001", Clock.UnixNow)
                        : seq == first + 599 ? Records.State(seq, "sl-0002", Clock.UnixNow, status, configVersion)
                        : Records.Streetlight(seq, seq % 2 == 0 ? "sl-0001" : "sl-0002", Clock.UnixNow, 40))
                    .ToArray();
                await StoreAsync(records);
            }
        }
        await StoreBacklogAsync(1, "asleep", 7);

        // Chunks of 250: the 600 records take three transactions, each moving both cursors.
        using var feed = new RecordFeed(Connections, Commands, Clock, Microsoft.Extensions.Options.Options.Create(new AlarmOptions { ChunkRecords = 250 }),
            Services.GetRequiredService<RecordArrivals>(), Services.GetRequiredService<Edge.Cloud.Telemetry.CloudMetrics>(), NullLogger<RecordFeed>.Instance);
        await feed.RunArrivedAsync();
        Assert.Equal(3, feed.ChunksApplied);
        Assert.Equal((600L, 600L), (await CursorAsync("node_state_feed"), await CursorAsync("record_feed")));
        Assert.Equal(("asleep", 7L), (await Inventory.GetNodeAsync("sl-0002")) is var n ? (n.Status, n.AppliedConfigVersion) : default);
        Assert.Equal(("lamp.fault", "sl-0001"), Assert.Single(await Alarms.ListAsync("open", null, null, 10)) is var a ? (a.Kind, a.Node) : default);

        // The default chunk takes the same backlog in one transaction (the feed used to read 500 records a transaction).
        Clock.Advance(60);
        await StoreBacklogAsync(601, "online", 8);
        var before = Feed.ChunksApplied;
        await Feed.RunArrivedAsync();
        Assert.Equal(1, Feed.ChunksApplied - before);
        Assert.Equal((1200L, 1200L), (await CursorAsync("node_state_feed"), await CursorAsync("record_feed")));
        Assert.Equal(("online", 8L), (await Inventory.GetNodeAsync("sl-0002")) is var m ? (m.Status, m.AppliedConfigVersion) : default);
        // The second backlog's fault refreshes the one open alarm rather than opening another.
        Assert.Single(await Alarms.ListAsync("open", null, null, 10));
    }

    [Fact]
    public async Task Two_record_feeds_on_one_database_as_two_cloud_processes_run_them_apply_each_record_once()
    {
        await AddLightAsync("sl-0001");
        // A second cloud process's feed: its own arrivals and last-seen cache, the same database. Both run their periodic
        // pass at once after every batch, as two processes' passes meet under load.
        using var other = new RecordFeed(Connections, Commands, Clock, Microsoft.Extensions.Options.Options.Create(new AlarmOptions()),
            new RecordArrivals(), Services.GetRequiredService<Edge.Cloud.Telemetry.CloudMetrics>(), NullLogger<RecordFeed>.Instance);
        const int rounds = 12;
        long seq = 0;
        for (var round = 0; round < rounds; round++)
        {
            Clock.Advance(10);
            // The lamp fails, recovers and fails again within the batch; telemetry between, so the pass has work to race.
            var records = new List<System.Text.Json.Nodes.JsonObject>();
            foreach (var active in new[] { true, false, true })
            {
                var fault = Records.LampFault(++seq, "sl-0001", Clock.UnixNow);
                fault["payload"]!["active"] = active;
                records.Add(fault);
                for (var i = 0; i < 40; i++) records.Add(Records.Streetlight(++seq, "sl-0001", Clock.UnixNow, 40));
            }
            await StoreAsync(records.ToArray());
            var before = Feed.ChunksApplied + other.ChunksApplied;
            await Task.WhenAll(Task.Run(() => Feed.RunOnceAsync()), Task.Run(() => other.RunOnceAsync()));
            // One chunk applied between the two feeds: the second found the stream's cursors already past the batch.
            Assert.Equal(1, Feed.ChunksApplied + other.ChunksApplied - before);
        }
        // Each round opened the fault once, cleared it and opened it again: rounds + 1 alarms, the newest open. A record
        // applied twice would clear the second round's alarm again or open a third.
        var faults = await Alarms.ListAsync(null, "sl-0001", "lamp.fault", 100);
        Assert.Equal(rounds + 1, faults.Count);
        Assert.Equal(AlarmStatus.Open, faults[0].Status);
        Assert.All(faults.Skip(1), a => Assert.Equal(AlarmStatus.Cleared, a.Status));
        Assert.Equal((seq, seq), (await CursorAsync("node_state_feed"), await CursorAsync("record_feed")));
    }

    [Fact]
    public async Task Raises_of_one_condition_in_transactions_at_once_open_it_once()
    {
        // Two batches of a gateway, two cloud processes, a sweep beside the feed: each raises in its own transaction,
        // and the check for an active alarm in one cannot see the insert of another that has not committed yet.
        const int writers = 8;
        for (var condition = 0; condition < 10; condition++)
        {
            var key = AlarmRules.Key("gateway.clock", null, "gw-" + condition);
            var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var raises = Enumerable.Range(0, writers).Select(writer => Task.Run(async () =>
            {
                await start.Task;
                await using var tx = await Tx.BeginAsync(Connections);
                await AlarmService.RaiseAsync(tx, null, null, "gw-" + condition, "gateway.clock", key, writer % 2 == 0 ? "minor" : "major", "writer " + writer, Clock.UnixNow);
                await tx.CommitAsync();
            })).ToArray();
            start.SetResult();
            await Task.WhenAll(raises);
            var alarm = Assert.Single(await Alarms.ListAsync(null, null, "gateway.clock", 100), a => a.Key == key);
            Assert.Equal(AlarmStatus.Open, alarm.Status);
            // The alarm carries the message of whichever raise committed last, as a refresh does.
            Assert.StartsWith("writer ", alarm.Message);
        }
    }

    [Fact]
    public async Task The_migration_to_one_active_alarm_per_condition_closes_older_duplicates_and_keeps_the_newest()
    {
        // A database of an older version: the index not there yet, and one condition opened twice (once acknowledged).
        await using (var tx = await Tx.BeginAsync(Connections))
        {
            await tx.ExecAsync("DROP INDEX alarms_active_key");
            await tx.ExecAsync("DELETE FROM schema_version WHERE version = 131");
            foreach (var (status, message) in new[] { ("acknowledged", "first"), ("open", "second"), ("cleared", "long ago") })
                await tx.ExecAsync("INSERT INTO alarms (site, node, gateway, kind, alarm_key, severity, status, message, raised_at, updated_at) " +
                    "VALUES (NULL, 'sl-0001', NULL, 'lamp.fault', 'lamp.fault:x@sl-0001', 'major', @s, @m, @at, @at)",
                    ("@s", status), ("@m", message), ("@at", Clock.UnixNow));
            await tx.ExecAsync("INSERT INTO alarms (site, node, gateway, kind, alarm_key, severity, status, message, raised_at, updated_at) " +
                "VALUES (NULL, 'sl-0002', NULL, 'lamp.fault', 'lamp.fault:x@sl-0002', 'major', 'open', 'alone', 1, 1)");
            await tx.CommitAsync();
        }
        await Services.GetRequiredService<Migrator>().MigrateAsync();

        var alarms = await Alarms.ListAsync(null, null, "lamp.fault", 100);
        Assert.Equal(["alone", "second"], alarms.Where(a => a.Status != AlarmStatus.Cleared).Select(a => a.Message).Order());
        Assert.Equal(AlarmStatus.Cleared, alarms.Single(a => a.Message == "first").Status);
        Assert.Equal(Clock.UnixNow, alarms.Single(a => a.Message == "first").ClearedAt);
        // And the database now refuses a second active alarm of one condition, whoever writes it.
        await using var again = await Tx.BeginAsync(Connections);
        await Assert.ThrowsAnyAsync<System.Data.Common.DbException>(() => again.ExecAsync(
            "INSERT INTO alarms (site, node, gateway, kind, alarm_key, severity, status, message, raised_at, updated_at) " +
            "VALUES (NULL, 'sl-0002', NULL, 'lamp.fault', 'lamp.fault:x@sl-0002', 'major', 'open', 'twin', 2, 2)"));
    }

    [Fact]
    public void A_feed_chunk_outside_its_bounds_is_refused_at_start_naming_the_setting()
    {
        foreach (var chunk in new[] { 0, AlarmOptions.MaxChunkRecords + 1 })
        {
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => new RecordFeed(Connections, Commands, Clock,
                Microsoft.Extensions.Options.Options.Create(new AlarmOptions { ChunkRecords = chunk }), Services.GetRequiredService<RecordArrivals>(),
                Services.GetRequiredService<Edge.Cloud.Telemetry.CloudMetrics>(), NullLogger<RecordFeed>.Instance));
            Assert.Contains("Alarms:ChunkRecords", error.Message);
        }
    }

    [Fact]
    public async Task Under_a_sustained_ingest_the_running_feed_applies_the_batches_of_its_coalescing_window_in_one_pass()
    {
        await AddLightAsync("sl-0001");
        // The feed's own clock, moved by hand: its coalescing window passes only when the test says so.
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(Clock.Now);
        using var feed = new RecordFeed(Connections, Commands, time, Microsoft.Extensions.Options.Options.Create(new AlarmOptions { IntervalS = 86400, CoalesceMs = 1000 }),
            Services.GetRequiredService<RecordArrivals>(), Services.GetRequiredService<Edge.Cloud.Telemetry.CloudMetrics>(), NullLogger<RecordFeed>.Instance);
        await feed.StartAsync(CancellationToken.None);
        try
        {
            // Nothing applied yet (a quiet moment): the first record is applied at once, no time passing on the feed's clock.
            await StoreAsync(Records.State(1, "sl-0001", Clock.UnixNow, "online", 3));
            await EventuallyAsync(() => CursorAsync("record_feed"), seq => seq == 1);
            var chunks = feed.ChunksApplied;

            // Two more batches within the window of that pass: they wait for it (no pass, nothing applied)…
            await StoreAsync(Records.Streetlight(2, "sl-0001", Clock.UnixNow, 40));
            await StoreAsync(Records.State(3, "sl-0001", Clock.UnixNow, "asleep", 4));
            // Half a second of real time for a feed that did not wait to run its pass (it would, at once). A feed that
            // waits cannot pass meanwhile however long this is, since its window ends only on the fake clock: no flake.
            await Task.Delay(TimeSpan.FromMilliseconds(500));
            Assert.Equal(chunks, feed.ChunksApplied);
            Assert.Equal(1L, await CursorAsync("record_feed"));

            // …and the pass at its end applies both in one transaction.
            time.Advance(TimeSpan.FromSeconds(1));
            await EventuallyAsync(() => CursorAsync("record_feed"), seq => seq == 3);
            Assert.Equal(chunks + 1, feed.ChunksApplied);
            Assert.Equal(("asleep", 4L), (await Inventory.GetNodeAsync("sl-0001")) is var n ? (n.Status, n.AppliedConfigVersion) : default);
        }
        finally
        {
            await feed.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task A_lamp_fault_opens_an_alarm_a_user_acknowledges_and_its_clear_event_clears()
    {
        await AddLightAsync("sl-0001");
        await IngestAsync(Records.LampFault(1, "sl-0001", Clock.UnixNow));
        var alarm = Assert.Single(await Alarms.ListAsync("open", null, null, 10));
        Assert.Equal(("lamp.fault", "sl-0001", "major"), (alarm.Kind, alarm.Node, alarm.Severity));

        var acknowledged = await Alarms.AcknowledgeAsync("maria", alarm.Id);
        Assert.Equal(("acknowledged", "maria", Clock.UnixNow), (acknowledged.Status, acknowledged.AcknowledgedBy, acknowledged.AcknowledgedAt!.Value));
        // The same fault raised again while active does not open a second alarm.
        await IngestAsync(Records.LampFault(2, "sl-0001", Clock.UnixNow + 10));
        Assert.Single(await Alarms.ListAsync("active", null, null, 10));

        var clear = Records.LampFault(3, "sl-0001", Clock.UnixNow + 20);
        clear["payload"]!["active"] = false;
        await IngestAsync(clear);
        var cleared = await Alarms.GetAsync(alarm.Id);
        Assert.Equal(("cleared", "maria"), (cleared.Status, cleared.AcknowledgedBy));
        Assert.Empty(await Alarms.ListAsync("active", null, null, 10));
    }

    [Fact]
    public async Task A_technician_clears_an_alarm_nothing_clears_by_itself_and_the_next_occurrence_opens_a_new_one()
    {
        await AddLightAsync("sl-0001");
        var key = AlarmRules.Key(Edge.Cloud.Ingestion.RecordAdmission.ConflictAlarmKind, null, Site + "/sl-0001");
        async Task<AlarmInfo> RaiseConflictAsync(string message)
        {
            await using (var tx = await Tx.BeginAsync(Connections))
            {
                await AlarmService.RaiseAsync(tx, Site, "sl-0001", "gw-other", Edge.Cloud.Ingestion.RecordAdmission.ConflictAlarmKind, key, "major", message, Clock.UnixNow);
                await tx.CommitAsync();
            }
            return Assert.Single(await Alarms.ListAsync("active", "sl-0001", Edge.Cloud.Ingestion.RecordAdmission.ConflictAlarmKind, 10));
        }
        var conflict = await RaiseConflictAsync("gw-other sent records for sl-0001");
        await Alarms.AcknowledgeAsync("maria", conflict.Id);
        // Acknowledged, a new conflict only refreshes it: nobody would see it. Cleared, the next one opens anew.
        Assert.Equal(conflict.Id, (await RaiseConflictAsync("again")).Id);
        Clock.Advance(60);
        var cleared = await Alarms.ClearByUserAsync("nikos", conflict.Id, "gw-other re-flashed with its own node list");
        Assert.Equal((AlarmStatus.Cleared, Clock.UnixNow, "nikos"), (cleared.Status, cleared.ClearedAt!.Value, cleared.ClearedBy));
        // Who acknowledged it and who cleared it are both kept.
        Assert.Equal((AlarmStatus.Cleared, Clock.UnixNow, "maria", "nikos"),
            (await Alarms.GetAsync(conflict.Id)) is var stored ? (stored.Status, stored.ClearedAt!.Value, stored.AcknowledgedBy, stored.ClearedBy) : default);
        var audit = Assert.Single(await Services.GetRequiredService<AuditLog>().ListAsync("alarm:" + conflict.Id, "nikos", null, 10), e => e.Action == "alarm.clear");
        Assert.Equal("gw-other re-flashed with its own node list", audit.Detail!.Value.GetProperty("note").GetString());
        var next = await RaiseConflictAsync("a third time");
        Assert.NotEqual(conflict.Id, next.Id);
        Assert.Equal(AlarmStatus.Open, next.Status);

        // Cleared already, or a kind its condition clears: refused, naming why.
        Assert.Equal(409, (await Assert.ThrowsAsync<DomainException>(() => Alarms.ClearByUserAsync("maria", conflict.Id, null))).Status);
        await IngestAsync(Records.LampFault(1, "sl-0001", Clock.UnixNow));
        var fault = Assert.Single(await Alarms.ListAsync("open", "sl-0001", "lamp.fault", 10));
        var refused = await Assert.ThrowsAsync<DomainException>(() => Alarms.ClearByUserAsync("maria", fault.Id, null));
        Assert.Equal($"alarm {fault.Id} (lamp.fault) clears when its condition ends; a user clears only gateway.storage-reset, node.fault-report, node.gateway-conflict", refused.Message);
        Assert.Equal(AlarmStatus.Open, (await Alarms.GetAsync(fault.Id)).Status);
        // Cleared by its condition: nobody cleared it by hand.
        var fixedLamp = Records.LampFault(2, "sl-0001", Clock.UnixNow + 1);
        fixedLamp["payload"]!["active"] = false;
        await IngestAsync(fixedLamp);
        Assert.Equal((AlarmStatus.Cleared, (string?)null), (await Alarms.GetAsync(fault.Id)) is var condition ? (condition.Status, condition.ClearedBy) : default);
    }

    [Fact]
    public async Task An_alarm_cleared_while_a_user_acknowledges_it_stays_cleared_and_the_user_is_told()
    {
        await AddLightAsync("sl-0001");
        await IngestAsync(Records.LampFault(1, "sl-0001", Clock.UnixNow));
        var alarm = Assert.Single(await Alarms.ListAsync("open", null, null, 10));

        // The lamp recovers: the record feed's clear is written but not committed yet when the technician acknowledges.
        var clearing = await Tx.BeginAsync(Connections);
        await AlarmService.ClearAsync(clearing, alarm.Key, Clock.UnixNow + 5);
        var acknowledge = Task.Run(() => Alarms.AcknowledgeAsync("maria", alarm.Id));
        if (Connections.Kind == StorageKind.Postgres)
        {
            // Its read saw the alarm open; its update waits for the clear's row lock.
            await EventuallyAsync(async () =>
            {
                await using var read = await Tx.ReadAsync(Connections);
                return await read.LongAsync("SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE 'UPDATE alarms SET status = ''acknowledged''%'") ?? 0;
            }, waiting => waiting > 0);
        }
        await clearing.CommitAsync();
        await clearing.DisposeAsync();

        var error = await Assert.ThrowsAsync<DomainException>(() => acknowledge);
        Assert.Equal((409, $"alarm {alarm.Id} is cleared; only an open alarm can be acknowledged"), (error.Status, error.Message));
        var after = await Alarms.GetAsync(alarm.Id);
        Assert.Equal((AlarmStatus.Cleared, (string?)null), (after.Status, after.AcknowledgedBy));
        // The next failure opens a new alarm, as after any clear.
        await IngestAsync(Records.LampFault(2, "sl-0001", Clock.UnixNow + 10));
        Assert.NotEqual(alarm.Id, Assert.Single(await Alarms.ListAsync("open", null, null, 10)).Id);
    }

    [Fact]
    public async Task Alarm_changes_of_one_batch_apply_in_record_order()
    {
        // The feed writes a batch's alarm changes together (AlarmChanges): within one batch a raise, its refresh, its
        // clear and a new raise of the same condition must end as they would one record at a time.
        await AddLightAsync("sl-0001");
        await AddLightAsync("sl-0002");
        var refresh = Records.LampFault(2, "sl-0001", Clock.UnixNow + 1);
        refresh["payload"]!["msg"] = "lamp dark since dusk";
        var clear = Records.LampFault(3, "sl-0001", Clock.UnixNow + 2);
        clear["payload"]!["active"] = false;
        var again = Records.LampFault(4, "sl-0001", Clock.UnixNow + 3);
        var clearNeverRaised = Records.LampFault(6, "sl-0002", Clock.UnixNow + 5);
        clearNeverRaised["payload"]!["active"] = false;
        await IngestAsync(Records.LampFault(1, "sl-0001", Clock.UnixNow), refresh, clear, again,
            Records.State(5, "sl-0002", Clock.UnixNow + 4, "online", 1), clearNeverRaised, Records.LampFault(7, "sl-0002", Clock.UnixNow + 6));

        var all = (await Alarms.ListAsync(null, null, "lamp.fault", 10)).OrderBy(a => a.Id).ToList();
        Assert.Equal(3, all.Count);
        Assert.Equal(("sl-0001", AlarmStatus.Cleared, "lamp dark since dusk", Clock.UnixNow + 2), (all[0].Node, all[0].Status, all[0].Message, all[0].ClearedAt!.Value));
        Assert.Equal(("sl-0001", AlarmStatus.Open, Clock.UnixNow + 3), (all[1].Node, all[1].Status, all[1].RaisedAt));
        Assert.Equal(("sl-0002", AlarmStatus.Open, Clock.UnixNow + 6), (all[2].Node, all[2].Status, all[2].RaisedAt));
        Assert.Equal(2, (await Alarms.ListAsync("active", null, null, 10)).Count);
        // Every column of a raise, as docs/cloud.md §Alarms names it (SQLite binds them by position, PostgreSQL by name).
        Assert.Equal((Site, "sl-0002", Gateway, "lamp.fault", $"lamp.fault:lamp-failure@{Site}/sl-0002", "major", "lamp-failure", Clock.UnixNow + 6, (long?)null),
            (all[2].Site, all[2].Node, all[2].Gateway, all[2].Kind, all[2].Key, all[2].Severity, all[2].Message, all[2].UpdatedAt, all[2].ClearedAt));
        // And of a refresh and a clear: the refresh's message, the clear's instant as both updated and cleared.
        Assert.Equal(("major", Clock.UnixNow + 2, Clock.UnixNow), (all[0].Severity, all[0].UpdatedAt, all[0].RaisedAt));
    }

    [Fact]
    public async Task Flood_states_offline_nodes_and_silent_gateways_raise_and_clear_alarms()
    {
        await AddLightAsync("sl-0001");
        await AddGaugeAsync("wl-0003");
        var warning = Records.Record(1, "wl-0003", "event", Clock.UnixNow, new System.Text.Json.Nodes.JsonObject
            { ["v"] = 1, ["kind"] = "flood.state", ["ts"] = Clock.UnixNow, ["boot"] = 5, ["seq"] = 1, ["from"] = "watch", ["to"] = "alarm", ["levelMm"] = 1500 });
        await IngestAsync(warning, Records.State(2, "sl-0001", Clock.UnixNow, "offline", null));
        Clock.Advance(121); // the lost node outlasts the grace period
        await Feed.RunOnceAsync();
        var active = await Alarms.ListAsync("active", null, null, 10);
        Assert.Equal(["flood.state:critical", "node.offline:major"], active.Select(a => a.Kind + ":" + a.Severity).Order());

        var normal = Records.Record(3, "wl-0003", "event", Clock.UnixNow + 60, new System.Text.Json.Nodes.JsonObject
            { ["v"] = 1, ["kind"] = "flood.state", ["ts"] = Clock.UnixNow + 60, ["boot"] = 5, ["seq"] = 2, ["from"] = "watch", ["to"] = "normal", ["levelMm"] = 200 });
        await IngestAsync(normal, Records.State(4, "sl-0001", Clock.UnixNow + 60, "online", 1));
        Assert.Empty(await Alarms.ListAsync("active", null, null, 10));

        // The rate-of-rise alarm (protocol.md §7.9) opens and clears on its own.
        var rising = Records.Record(5, "wl-0003", "event", Clock.UnixNow + 90, new System.Text.Json.Nodes.JsonObject
            { ["v"] = 1, ["kind"] = "flood.rate", ["ts"] = Clock.UnixNow + 90, ["boot"] = 5, ["seq"] = 3, ["active"] = true, ["riseMm"] = 130, ["levelMm"] = 600 });
        await IngestAsync(rising);
        Assert.Equal("flood.rate:major", Assert.Single(await Alarms.ListAsync("active", null, null, 10)) is var rate ? rate.Kind + ":" + rate.Severity : "");
        var calm = Records.Record(6, "wl-0003", "event", Clock.UnixNow + 120, new System.Text.Json.Nodes.JsonObject
            { ["v"] = 1, ["kind"] = "flood.rate", ["ts"] = Clock.UnixNow + 120, ["boot"] = 5, ["seq"] = 4, ["active"] = false, ["riseMm"] = 10, ["levelMm"] = 610 });
        await IngestAsync(calm);
        Assert.Empty(await Alarms.ListAsync("active", null, null, 10));

        Clock.Advance(11 * 60); // the gateway's last batch is now older than 10 minutes
        await Feed.RunOnceAsync();
        Assert.Equal("gateway.offline", Assert.Single(await Alarms.ListAsync("open", null, null, 10)).Kind);
        await Downlink.TouchAsync(Gateway, CancellationToken.None);
        await Feed.RunOnceAsync();
        Assert.Empty(await Alarms.ListAsync("active", null, null, 10));
    }
    [Fact]
    public async Task A_node_lost_within_the_grace_period_raises_nothing_and_one_lost_longer_raises_its_alarm()
    {
        foreach (var id in new[] { "sl-0001", "sl-0002", "sl-0003" }) await AddLightAsync(id);
        long t = Clock.UnixNow;
        await IngestAsync(Records.State(1, "sl-0001", t, "online", 1), Records.State(2, "sl-0002", t, "online", 1), Records.State(3, "sl-0003", t, "online", 1),
            Records.State(4, "sl-0001", t + 1, "offline", null, "lost"));
        Clock.Advance(90);
        await Feed.RunOnceAsync();
        Assert.Empty(await Alarms.ListAsync("active", null, null, 10));
        await IngestAsync(Records.State(5, "sl-0001", t + 95, "online", 1)); // back before the grace period ended
        Clock.Advance(3600);
        await Downlink.TouchAsync(Gateway, CancellationToken.None); // the gateway itself keeps polling
        await Feed.RunOnceAsync();
        Assert.Empty(await Alarms.ListAsync("active", null, null, 10));

        await IngestAsync(Records.State(6, "sl-0002", Clock.UnixNow, "offline", null, "lost"));
        Clock.Advance(119);
        await Feed.RunOnceAsync();
        Assert.Empty(await Alarms.ListAsync("active", null, null, 10));
        Clock.Advance(2);
        await Feed.RunOnceAsync();
        var alarm = Assert.Single(await Alarms.ListAsync("active", null, null, 10));
        Assert.Equal(("node.offline", "sl-0002"), (alarm.Kind, alarm.Node));
    }

    [Fact]
    public async Task Most_nodes_of_a_gateway_lost_together_are_one_grouped_alarm_not_one_per_node()
    {
        for (var i = 1; i <= 10; i++) await AddLightAsync($"sl-{i:0000}");
        long t = Clock.UnixNow;
        var nodes = Enumerable.Range(1, 10).Select(i => $"sl-{i:0000}").ToList();
        await IngestAsync(nodes.Select((n, i) => Records.State(i + 1, n, t, "online", 1)).ToArray());
        await IngestAsync(nodes.Take(8).Select((n, i) => Records.State(20 + i, n, t + 5, "offline", null, "lost")).ToArray());
        Clock.Advance(300);
        await Feed.RunOnceAsync();
        var grouped = Assert.Single(await Alarms.ListAsync("active", null, null, 100));
        Assert.Equal(("gateway.offline", Gateway, (string?)null), (grouped.Kind, grouped.Gateway, grouped.Node));
        Assert.Contains("8 of 10 nodes", grouped.Message);

        // Most come back; the one still lost now stands on its own.
        await IngestAsync(nodes.Take(7).Select((n, i) => Records.State(40 + i, n, Clock.UnixNow, "online", 1)).ToArray());
        var after = await Alarms.ListAsync("active", null, null, 100);
        var single = Assert.Single(after);
        Assert.Equal(("node.offline", "sl-0008"), (single.Kind, single.Node));
        Assert.Equal(AlarmStatus.Cleared, (await Alarms.GetAsync(grouped.Id)).Status);
    }

    [Fact]
    public async Task A_planned_offline_raises_no_alarm()
    {
        foreach (var id in new[] { "sl-0001", "sl-0002" }) await AddLightAsync(id);
        long t = Clock.UnixNow;
        await IngestAsync(Records.State(1, "sl-0001", t, "online", 1), Records.State(2, "sl-0002", t, "online", 1),
            Records.State(3, "sl-0001", t + 1, "offline", 1, "shutdown"), Records.State(4, "sl-0002", t + 1, "offline", 1, "reboot"));
        Clock.Advance(3 * 3600);
        await Downlink.TouchAsync(Gateway, CancellationToken.None); // the gateway itself keeps polling
        await Feed.RunOnceAsync();
        Assert.Empty(await Alarms.ListAsync("active", null, null, 10));
    }

    [Fact]
    public async Task A_gateway_that_said_it_is_stopping_raises_no_offline_alarm_until_it_stays_away_too_long()
    {
        foreach (var id in new[] { "sl-0001", "sl-0002" }) await AddLightAsync(id);
        long t = Clock.UnixNow;
        await IngestAsync(Records.State(1, "sl-0001", t, "online", 1), Records.State(2, "sl-0002", t, "online", 1),
            Records.State(3, "sl-0001", t + 1, "offline", null, "lost"), Records.GatewayEvent(4, t + 2, OfflineSweep.GatewayStopping));
        Clock.Advance(3600); // far beyond both the node grace period and the silent-gateway limit
        await Feed.RunOnceAsync();
        Assert.Empty(await Alarms.ListAsync("active", null, null, 10));

        Clock.Advance(24 * 3600);
        await Feed.RunOnceAsync();
        var alarm = Assert.Single(await Alarms.ListAsync("active", null, null, 10));
        Assert.Equal(("gateway.offline", Gateway), (alarm.Kind, alarm.Gateway));
        Assert.Contains("stopped on purpose", alarm.Message);

        // Back: a poll ends the planned stop; the stopped-on-purpose alarm clears.
        await Downlink.TouchAsync(Gateway, CancellationToken.None);
        await IngestAsync(Records.State(5, "sl-0001", Clock.UnixNow, "online", 1));
        Assert.Empty(await Alarms.ListAsync("active", null, null, 10));
    }

    [Fact]
    public async Task Telemetry_and_events_read_back_newest_first_with_filters_and_bounded_limits()
    {
        await AddLightAsync("sl-0001");
        long t0 = Clock.UnixNow;
        var lights = Enumerable.Range(0, 5).Select(i => Records.Streetlight(1 + i, "sl-0001", t0 + 10 * i, 20 + 10 * i, watts: 10.5 + i)).ToArray();
        await AddGaugeAsync("wl-0003");
        var water = Records.Water(6, "wl-0003", t0 + 5, 640, "watch");
        const string commandId = "c-20260101-0123456789ab";
        await IngestAsync([.. lights, water, Records.LampFault(7, "sl-0001", t0 + 41), Records.Ack(8, "sl-0001", t0 + 42, commandId), Records.Rule(9, t0 + 43)]);

        // Newest first, every stored column, the payload as JSON.
        var all = await History.TelemetryAsync("sl-0001", null, null, null);
        Assert.Equal(lights.Select(r => (long)r["payload"]!["ts"]!).Reverse(), all.Select(t => t.Ts));
        var newest = all[0];
        var source = lights[^1]["payload"]!;
        Assert.Equal((Site, "sl-0001", "streetlight", Gateway, 5L), (newest.Site, newest.Node, newest.Type, newest.Gateway, newest.Seq));
        Assert.Equal(((long?)(int)source["level"]!, (double?)source["watts"], (double?)source["volts"], (long?)(int)source["energyWh"]!),
            (newest.Level, newest.Watts, newest.Volts, newest.EnergyWh));
        Assert.Equal("schedule", newest.Payload.GetProperty("source").GetString());
        Assert.Equal(JsonValueKind.Array, newest.Payload.GetProperty("faults").ValueKind);

        // from/to are inclusive; limit keeps the newest.
        Assert.Equal([t0 + 30, t0 + 20, t0 + 10], (await History.TelemetryAsync("sl-0001", t0 + 10, t0 + 30, null)).Select(t => t.Ts));
        Assert.Equal([t0 + 40, t0 + 30], (await History.TelemetryAsync("sl-0001", null, null, 2)).Select(t => t.Ts));

        var gauge = Assert.Single(await History.TelemetryAsync("wl-0003", null, null, null));
        Assert.Equal(((long?)640, "watch", (long?)120, (double?)3.27, (long?)null), (gauge.LevelMm, gauge.FloodState, gauge.RateMmH, gauge.BatteryV, gauge.Level));

        // Events: node events and acks by node, gateway rule firings by kind.
        var events = await History.EventsAsync("sl-0001", null, null, null, null);
        Assert.Equal([("cmd.ack", "ack", commandId), ("lamp.fault", "event", (string?)null)], events.Select(e => (e.Kind, e.RecordKind, e.CommandId)));
        Assert.Equal("lamp-failure", events[1].Payload.GetProperty("fault").GetString());
        var rule = Assert.Single(await History.EventsAsync(null, "rule.fired", null, null, null));
        Assert.Equal(((string?)null, "flood-zone-3", "wl-0003"), (rule.Node, rule.Payload.GetProperty("rule").GetString(), rule.Payload.GetProperty("trigger").GetString()));
        Assert.Equal(3, (await History.EventsAsync(null, null, t0 + 41, t0 + 43, null)).Count);
        Assert.Equal([9L], (await History.EventsAsync(null, null, null, null, 1)).Select(e => e.Seq));

        // Unknown ids and bad parameters say what is wrong.
        Assert.Equal(404, (await Assert.ThrowsAsync<DomainException>(() => History.TelemetryAsync("sl-9999", null, null, null))).Status);
        Assert.Equal(404, (await Assert.ThrowsAsync<DomainException>(() => History.EventsAsync("sl-9999", null, null, null, null))).Status);
        Assert.StartsWith("limit: 0 is out of range", (await Assert.ThrowsAsync<DomainException>(() => History.TelemetryAsync("sl-0001", null, null, 0))).Message);
        Assert.StartsWith("limit: 1001 is out of range", (await Assert.ThrowsAsync<DomainException>(() => History.EventsAsync(null, null, null, null, 1001))).Message);
        Assert.StartsWith("from:", (await Assert.ThrowsAsync<DomainException>(() => History.EventsAsync(null, null, t0 + 10, t0, null))).Message);
    }
}

public sealed class SqliteDomainTests : DomainSuite
{
    private readonly TempDirectory _directory = new();

    protected override Task<IStorageConnections> CreateConnectionsAsync() =>
        Task.FromResult<IStorageConnections>(new SqliteConnections(System.IO.Path.Combine(_directory.Path, "edge.db")));

    protected override IIngestStore CreateStore(IStorageConnections connections, TimeProvider time) => new SqliteIngestStore(connections, time);

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _directory.Dispose();
    }
}

public sealed class PostgresDomainTests : DomainSuite
{
    private TestPostgres? _database;

    protected override async Task<IStorageConnections> CreateConnectionsAsync()
    {
        _database = await TestPostgres.CreateAsync();
        return new PostgresConnections(_database.ConnectionString);
    }

    protected override IIngestStore CreateStore(IStorageConnections connections, TimeProvider time) =>
        new PostgresIngestStore((PostgresConnections)connections, time);

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (_database is not null) await _database.DisposeAsync();
    }
}
