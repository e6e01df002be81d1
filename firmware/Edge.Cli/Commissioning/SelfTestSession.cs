using System;
using System.Collections.Generic;
using System.Globalization;
using System.Net.Http;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Edge.Cli.Cloud;

namespace Edge.Cli.Commissioning;

/// <summary>
/// The cloud calls a self-test is made of, polled until they settle: the node's first message, a self-test
/// command's ack (POST /nodes/{id}/self-test, GET /commands/{id}), the node's telemetry after a moment.
/// </summary>
public sealed class SelfTestSession
{
    private readonly CloudClient _cloud;
    private readonly string _node;
    private readonly TimeSpan _commandLimit;
    private readonly Action<string> _say;

    public SelfTestSession(CloudClient cloud, string node, TimeSpan commandLimit, Action<string> say)
    {
        _cloud = cloud;
        _node = node;
        _commandLimit = commandLimit;
        _say = say;
    }

    private const int TelemetryRows = 20;

    // The telemetry rows (gateway/seq) stored before the last command.
    private readonly HashSet<string> _before = new();

    private static string Key(JsonElement row) => row.GetProperty("gateway").GetString() + "/" + row.GetProperty("seq").GetInt64().ToString(CultureInfo.InvariantCulture);

    private string NodePath => "nodes/" + Uri.EscapeDataString(_node);

    /// <summary>Waits until the cloud has any message of the node; false after <paramref name="limit"/>.</summary>
    public async Task<bool> WaitForFirstMessageAsync(TimeSpan limit, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            var node = (await _cloud.GetAsync(NodePath, false, ct))!.Value;
            if (node.Number("lastSeen") is not null) return true;
            if (DateTime.UtcNow > deadline) return false;
            await Task.Delay(TimeSpan.FromSeconds(1), ct);
        }
    }

    /// <summary>
    /// Waits until the node reports the config version the cloud wants it to run (a gauge cannot compute a level
    /// before it has its mounting height); true at once for a node with no desired config.
    /// </summary>
    public async Task<bool> WaitForConfigAsync(CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + _commandLimit;
        while (true)
        {
            var node = (await _cloud.GetAsync(NodePath, false, ct))!.Value;
            if (node.Number("desiredConfigVersion") is not { } desired || node.Number("appliedConfigVersion") >= desired) return true;
            if (DateTime.UtcNow > deadline)
            {
                _say("config version " + desired + " not applied yet (node reports " + (node.Number("appliedConfigVersion")?.ToString(CultureInfo.InvariantCulture) ?? "none") + ")");
                return false;
            }
            await Task.Delay(TimeSpan.FromSeconds(1), ct);
        }
    }

    /// <summary>
    /// Sends one self-test command and waits for its outcome; the node's ack result ("ok", …) or the final status. The
    /// telemetry stored before the command is noted first: <see cref="TelemetryAsync"/> then reads only what came after
    /// it, never the answer to an earlier self-test of the same shape (a second commissioning a few seconds later).
    /// </summary>
    public async Task<string> RunAsync(string kind, object? args, CancellationToken ct)
    {
        _before.Clear();
        foreach (var row in (await _cloud.GetAsync(NodePath + "/telemetry?limit=" + TelemetryRows, false, ct))!.Value.EnumerateArray()) _before.Add(Key(row));
        var command = await _cloud.SendAsync(HttpMethod.Post, NodePath + "/self-test", new { kind, args }, ct);
        string id = command.GetProperty("id").GetString()!;
        var deadline = DateTime.UtcNow + _commandLimit;
        while (true)
        {
            var c = (await _cloud.GetAsync("commands/" + id, false, ct))!.Value;
            string status = c.Text("status")!;
            if (status is "acked" or "failed" or "expired")
            {
                string outcome = status == "acked" ? "ok" : status + (c.Text("message") is { } m ? " (" + m + ")" : c.Text("result") is { } r ? " (" + r + ")" : "");
                _say(kind + " → " + outcome);
                return outcome;
            }
            if (DateTime.UtcNow > deadline)
            {
                _say(kind + " → no answer (" + status + ")");
                return "no answer within " + _commandLimit.TotalSeconds.ToString(CultureInfo.InvariantCulture) + " s (" + status + ")";
            }
            await Task.Delay(TimeSpan.FromMilliseconds(500), ct);
        }
    }

    /// <summary>The newest telemetry payload stored since the last command that satisfies <paramref name="match"/>, waiting for it up to the command limit.</summary>
    public async Task<JsonElement?> TelemetryAsync(Func<JsonElement, bool> match, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + _commandLimit;
        while (true)
        {
            var rows = (await _cloud.GetAsync(NodePath + "/telemetry?limit=" + TelemetryRows, false, ct))!.Value;
            foreach (var row in rows.EnumerateArray())
            {
                if (_before.Contains(Key(row))) continue;
                var payload = row.GetProperty("payload");
                if (match(payload)) return payload;
            }
            if (DateTime.UtcNow > deadline) return null;
            await Task.Delay(TimeSpan.FromSeconds(1), ct);
        }
    }
}
