using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Edge.Cloud.Commands;
using Edge.Cloud.Domain;
using Edge.Cloud.History;
using Edge.Cloud.Inventory;
using Edge.Cloud.Storage;
using Microsoft.Extensions.Logging;

namespace Edge.Cloud.Commissioning;

/// <summary>
/// What an installer asks of a self-test run: the gauge's tape measurement and tolerance, the street light's least
/// power and settle time, how long each command's answer is awaited, and where the installer stands (stored with the
/// result). Everything is optional.
/// </summary>
public sealed record SelfTestRunRequest(int? MeasuredMm = null, int? ToleranceMm = null, double? MinWatts = null, int? SettleS = null, int? CommandTimeoutS = null,
    double? Lat = null, double? Lon = null, double? AccuracyM = null, string? Pole = null);

/// <summary>A self-test run: its steps so far and, once done, the verdict, its figures and the stored result's id.
/// <see cref="Status"/>: running, passed, failed, error (the run could not finish: no verdict stored), interrupted (the
/// cloud stopped or lost the run).</summary>
public sealed record SelfTestRunInfo(long Id, string Node, string Type, string Actor, long StartedAt, long? FinishedAt, string Status,
    IReadOnlyList<string> Steps, string? Summary, JsonElement? Figures, long? Result);

/// <summary>
/// The one judgement of a self-test, in the cloud, whichever client asked for it (the CLI's <c>edge node commission</c>,
/// the phone page <c>/n/{id}</c>): a run drives its node type's steps (<see cref="INodeSelfTest"/>) through the real
/// command path, records each step, and stores the verdict with its figures on the node through
/// <see cref="CommissioningService.RecordAsync"/> — audited, a failure opening the node.commissioning alarm. One run per
/// node at a time.
/// </summary>
public sealed class SelfTestRuns
{
    public const int DefaultCommandTimeoutS = 120;

    private readonly IStorageConnections _connections;
    private readonly CommissioningService _commissioning;
    private readonly CommandService _commands;
    private readonly HistoryService _history;
    private readonly InventoryService _inventory;
    private readonly Dictionary<string, INodeSelfTest> _tests;
    private readonly SelfTestRunner _runner;
    private readonly TimeProvider _time;
    private readonly ILogger<SelfTestRuns> _logger;

    public SelfTestRuns(IStorageConnections connections, CommissioningService commissioning, CommandService commands, HistoryService history,
        InventoryService inventory, IEnumerable<INodeSelfTest> tests, SelfTestRunner runner, TimeProvider time, ILogger<SelfTestRuns> logger)
    {
        _connections = connections;
        _commissioning = commissioning;
        _commands = commands;
        _history = history;
        _inventory = inventory;
        _tests = tests.ToDictionary(t => t.Type, StringComparer.Ordinal);
        _runner = runner;
        _time = time;
        _logger = logger;
    }

    /// <summary>The node types with a self-test.</summary>
    public IReadOnlyCollection<string> Types => _tests.Keys;

    public async Task<SelfTestRunInfo> StartAsync(string actor, string node, SelfTestRunRequest request, CancellationToken ct = default)
    {
        var errors = new List<string>();
        if (request.MeasuredMm is < -100000 or > 100000) errors.Add("measuredMm: out of range -100000..100000");
        if (request.ToleranceMm is < 1 or > 10000) errors.Add("toleranceMm: out of range 1..10000");
        if (request.MinWatts is < 0.1 or > 10000) errors.Add("minWatts: out of range 0.1..10000");
        if (request.SettleS is < 0 or > 600) errors.Add("settleS: out of range 0..600");
        if (request.CommandTimeoutS is < 1 or > 600) errors.Add("commandTimeoutS: out of range 1..600");
        CommissioningService.CheckPlace(errors, request.Lat, request.Lon, request.AccuracyM, request.Pole);
        if (errors.Count > 0) throw DomainException.InvalidDocument("self-test run", errors);

        var limit = request.CommandTimeoutS ?? DefaultCommandTimeoutS;
        long now = _time.GetUtcNow().ToUnixTimeSeconds();
        // Past this a run still marked running was lost (the cloud stopped): it reads as interrupted.
        long deadline = now + 10L * limit + 2L * (request.SettleS ?? StreetLightSelfTest.DefaultSettleS) + 60;
        NodeInfo info;
        long id;
        await using (var tx = await Tx.BeginAsync(_connections, ct))
        {
            info = await InventoryService.GetNodeAsync(tx, node);
            if (!_tests.ContainsKey(info.Type)) throw DomainException.Conflict("node '" + node + "' is a " + info.Type + ", which has no self-test");
            if (request.MeasuredMm is not null && info.Type != "waterlevel") throw DomainException.Invalid("measuredMm: only a water-level gauge is checked against a tape measurement");
            if (await tx.LongAsync("SELECT MAX(id) FROM self_test_runs WHERE node = @n AND status = 'running' AND deadline > @now", ("@n", node), ("@now", now)) is { } running)
                throw DomainException.Conflict("a self-test of node '" + node + "' is running (run " + running + "); wait for its verdict");
            id = (await tx.LongAsync("""
                INSERT INTO self_test_runs (node, site, type, actor, started_at, deadline, status, steps, request)
                VALUES (@n, @s, @t, @a, @now, @d, 'running', '[]', @r) RETURNING id
                """, ("@n", node), ("@s", info.Site), ("@t", info.Type), ("@a", actor), ("@now", now), ("@d", deadline),
                ("@r", JsonSerializer.Serialize(request, JsonSerializerOptions.Web))))!.Value;
            await tx.CommitAsync();
        }
        _runner.Start(stopping => DriveAsync(id, actor, info, request, TimeSpan.FromSeconds(limit), stopping));
        return await GetAsync(id, ct);
    }

    public async Task<SelfTestRunInfo> GetAsync(long id, CancellationToken ct = default)
    {
        await using var tx = await Tx.ReadAsync(_connections, ct);
        return (await QueryAsync(tx, "WHERE id = @id", ("@id", id))).FirstOrDefault()
            ?? throw DomainException.NotFound("self-test run", id.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>The node's newest run, or null.</summary>
    public async Task<SelfTestRunInfo?> LatestAsync(string node, CancellationToken ct = default)
    {
        await using var tx = await Tx.ReadAsync(_connections, ct);
        return (await QueryAsync(tx, "WHERE node = @n ORDER BY id DESC LIMIT 1", ("@n", node))).FirstOrDefault();
    }

    private async Task<List<SelfTestRunInfo>> QueryAsync(Tx tx, string where, params (string, object?)[] parameters)
    {
        long now = _time.GetUtcNow().ToUnixTimeSeconds();
        return await tx.QueryAsync(
            "SELECT id, node, type, actor, started_at, finished_at, status, steps, summary, figures, result, deadline FROM self_test_runs " + where,
            r => new SelfTestRunInfo(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetInt64(4), r.Long(5),
                r.GetString(6) == "running" && r.GetInt64(11) <= now ? "interrupted" : r.GetString(6),
                JsonSerializer.Deserialize<List<string>>(r.GetString(7))!, r.Str(8),
                r.Str(9) is { } f ? JsonDocument.Parse(f).RootElement.Clone() : null, r.Long(10)),
            parameters);
    }

    private async Task DriveAsync(long id, string actor, NodeInfo node, SelfTestRunRequest request, TimeSpan limit, CancellationToken stopping)
    {
        try
        {
            var probe = new SelfTestProbe(actor, node, limit, _commissioning, _commands, _history, _inventory, _time, step => StepAsync(id, step, stopping));
            await probe.WaitForConfigAsync(stopping);
            var verdict = await _tests[node.Type].RunAsync(probe, request, stopping);
            var stored = await _commissioning.RecordAsync(actor, node.Id,
                new CommissioningRequest(verdict.Passed, verdict.Summary, verdict.Figures, request.Lat, request.Lon, request.AccuracyM, request.Pole), stopping);
            await FinishAsync(id, verdict.Passed ? "passed" : "failed", verdict.Summary, verdict.Figures.ToJsonString(), stored.Id);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            await FinishAsync(id, "interrupted", "the cloud stopped during the self-test; run it again", null, null);
        }
        catch (Exception e)
        {
            _logger.LogWarning(e, "Self-test run {Run} of {Node} could not finish", id, node.Id);
            await FinishAsync(id, "error", "the self-test could not finish: " + e.Message, null, null);
        }
    }

    private async Task StepAsync(long id, string step, CancellationToken ct)
    {
        await using var tx = await Tx.BeginAsync(_connections, ct);
        var steps = JsonSerializer.Deserialize<List<string>>((await tx.QueryAsync("SELECT steps FROM self_test_runs WHERE id = @id", r => r.GetString(0), ("@id", id)))[0])!;
        steps.Add(step);
        await tx.ExecAsync("UPDATE self_test_runs SET steps = @s WHERE id = @id", ("@s", JsonSerializer.Serialize(steps)), ("@id", id));
        await tx.CommitAsync();
    }

    private async Task FinishAsync(long id, string status, string summary, string? figures, long? result)
    {
        try
        {
            await using var tx = await Tx.BeginAsync(_connections, CancellationToken.None);
            await tx.ExecAsync("UPDATE self_test_runs SET status = @st, summary = @su, figures = @f, result = @r, finished_at = @now WHERE id = @id",
                ("@st", status), ("@su", summary), ("@f", figures), ("@r", result), ("@now", _time.GetUtcNow().ToUnixTimeSeconds()), ("@id", id));
            await tx.CommitAsync();
        }
        catch (Exception e)
        {
            // The store is gone (the app stopping with it): the run's deadline marks it interrupted on the next read.
            _logger.LogWarning(e, "Self-test run {Run} could not be finished as {Status}", id, status);
        }
    }
}
