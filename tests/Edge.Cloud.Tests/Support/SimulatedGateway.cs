using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;

namespace Edge.Cloud.Tests.Support;

/// <summary>What a simulated node has on its pole: a lamp's power at a level, a gauge's reading, what a sign shows.</summary>
public sealed class SimulatedNode
{
    public required string Type { get; init; }

    /// <summary>Street light: the meter's watts at a level (a dead lamp draws almost nothing).</summary>
    public Func<int, double> Watts { get; init; } = level => 0.3 + 0.4 * level;

    /// <summary>Gauge: the level it computes and the sensor's verdict.</summary>
    public int LevelMm { get; init; } = 742;

    public string Sensor { get; init; } = "ok";

    /// <summary>Bus stop: whether it applies the display content it is sent (else it keeps showing what it had).</summary>
    public bool AppliesDisplays { get; init; } = true;

    internal int Level;
    internal string Source = "schedule";
    internal long ContentVersion;
}

/// <summary>
/// A gateway with simulated nodes behind it, speaking the real uplink API (docs/uplink.md): it long-polls the desired
/// state, takes the display content and commands for its nodes, and answers each command as the node would — the ack,
/// and for override and sample-now the telemetry (protocol.md §6, §10) — in batches. The cloud's side (command path,
/// ingestion, record feed) is all real; only the node is simulated, by its documented messages.
/// </summary>
public sealed class SimulatedGateway : IAsyncDisposable
{
    private readonly HttpClient _client;
    private readonly string _gateway;
    private readonly string _site;
    private readonly ConcurrentDictionary<string, SimulatedNode> _nodes = new(StringComparer.Ordinal);
    private readonly HashSet<string> _answered = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    // The gateway's outbox seq (unique per gateway for the cloud's dedup) and the nodes' own message seq (uint32).
    private long _seq = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
    private readonly Func<long>? _nextSeq;
    private long _nodeSeq;

    private readonly Func<long> _now;

    /// <param name="now">the gateway's and its nodes' clock (Unix seconds): the cloud's, when a test moves that by hand</param>
    /// <param name="nextSeq">the outbox seq source, when the test posts other batches for the same gateway: one gateway
    /// has one rising seq, and the cloud's record feed never goes back below the highest it applied</param>
    public SimulatedGateway(Uri cloud, string gateway, string token, string site, Func<long>? now = null, Func<long>? nextSeq = null)
    {
        _nextSeq = nextSeq;
        _now = now ?? (() => DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        _client = new HttpClient { BaseAddress = cloud };
        _client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        _gateway = gateway;
        _site = site;
        _loop = Task.Run(LoopAsync);
    }

    public void Add(string node, SimulatedNode behaviour) => _nodes[node] = behaviour;

    private async Task LoopAsync()
    {
        string cursor = "";
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                using var response = await _client.GetAsync($"/api/v1/gateways/{_gateway}/desired?after={Uri.EscapeDataString(cursor)}&waitS=1", _stop.Token);
                response.EnsureSuccessStatusCode();
                var desired = JsonNode.Parse(await response.Content.ReadAsStringAsync(_stop.Token))!;
                cursor = desired["cursor"]!.GetValue<string>();
                foreach (var display in desired["displays"]!.AsArray())
                {
                    if (_nodes.TryGetValue(display!["node"]!.GetValue<string>(), out var n) && n.AppliesDisplays) n.ContentVersion = display["version"]!.GetValue<long>();
                }
                var records = new JsonArray();
                foreach (var item in desired["commands"]!.AsArray())
                {
                    string node = item!["node"]!.GetValue<string>();
                    var command = item["command"]!;
                    if (!_nodes.TryGetValue(node, out var n) || !_answered.Add(command["id"]!.GetValue<string>())) continue;
                    foreach (var record in Answer(node, n, command)) records.Add(record);
                }
                if (records.Count > 0) await PostAsync(records);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private IEnumerable<JsonObject> Answer(string node, SimulatedNode n, JsonNode command)
    {
        long ts = _now();
        string kind = command["kind"]!.GetValue<string>();
        if (kind == "override")
        {
            n.Level = command["args"]!["level"]!.GetValue<int>();
            n.Source = "override";
        }
        if (kind == "override.clear") n.Source = "schedule";
        yield return Record(node, "ack", ts, new JsonObject { ["v"] = 1, ["id"] = command["id"]!.GetValue<string>(), ["result"] = "ok", ["ts"] = ts, ["boot"] = 1, ["seq"] = ++_nodeSeq });
        if (kind == "sample-now") yield return Record(node, "telemetry", ts, Telemetry(n, ts));
    }

    private JsonObject Telemetry(SimulatedNode n, long ts)
    {
        var t = new JsonObject { ["v"] = 1, ["type"] = n.Type, ["ts"] = ts, ["boot"] = 1, ["seq"] = ++_nodeSeq };
        switch (n.Type)
        {
            case "streetlight":
                t["level"] = n.Level; t["source"] = n.Source; t["watts"] = Math.Round(n.Watts(n.Level), 1); t["volts"] = 230.0;
                break;
            case "waterlevel":
                t["levelMm"] = n.LevelMm; t["distanceMm"] = 3200 - n.LevelMm; t["state"] = "normal"; t["sensor"] = n.Sensor;
                break;
            default:
                t["contentVersion"] = n.ContentVersion; t["stale"] = false;
                break;
        }
        return t;
    }

    private JsonObject Record(string node, string kind, long receivedAt, JsonObject payload) => new()
    {
        ["seq"] = _nextSeq?.Invoke() ?? ++_seq, ["node"] = node, ["site"] = _site, ["kind"] = kind, ["receivedAt"] = receivedAt, ["payload"] = payload,
    };

    private async Task PostAsync(JsonArray records)
    {
        var batch = new JsonObject { ["v"] = 1, ["gateway"] = _gateway, ["sentAt"] = _now(), ["records"] = records };
        using var response = await _client.PostAsync($"/api/v1/gateways/{_gateway}/batches", new StringContent(batch.ToJsonString(), Encoding.UTF8, "application/json"), _stop.Token);
        string body = await response.Content.ReadAsStringAsync(_stop.Token);
        if (!response.IsSuccessStatusCode || JsonNode.Parse(body)?["rejected"] is JsonArray { Count: > 0 }) throw new InvalidOperationException("batch refused: " + body);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try { await _loop; } catch (OperationCanceledException) { }
        _client.Dispose();
        _stop.Dispose();
    }
}
