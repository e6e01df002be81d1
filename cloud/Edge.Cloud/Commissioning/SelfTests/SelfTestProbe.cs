using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Edge.Cloud.Commands;
using Edge.Cloud.History;
using Edge.Cloud.Inventory;

namespace Edge.Cloud.Commissioning;

/// <summary>
/// The calls one self-test run is made of, each through the real command path: a self-test command issued in the
/// installer's name (<see cref="CommissioningService.SelfTestAsync"/>) and its outcome as the node's ack sets it, the
/// telemetry the node sent after a moment, the config version it runs. Every step is told to the run
/// (<see cref="SelfTestRuns"/> keeps them, so the phone page and the CLI show progress). Waits and deadlines use the
/// app's <see cref="TimeProvider"/> (its timestamps, not its wall clock, so a test's fixed clock does not stop them).
/// </summary>
public sealed class SelfTestProbe
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(250);

    private readonly CommissioningService _commissioning;
    private readonly CommandService _commands;
    private readonly HistoryService _history;
    private readonly InventoryService _inventory;
    private readonly TimeProvider _time;
    private readonly Func<string, Task> _say;

    public SelfTestProbe(string actor, NodeInfo node, TimeSpan commandLimit, CommissioningService commissioning, CommandService commands,
        HistoryService history, InventoryService inventory, TimeProvider time, Func<string, Task> say)
    {
        Actor = actor;
        Node = node;
        CommandLimit = commandLimit;
        _commissioning = commissioning;
        _commands = commands;
        _history = history;
        _inventory = inventory;
        _time = time;
        _say = say;
    }

    public string Actor { get; }

    public NodeInfo Node { get; }

    /// <summary>How long each command's answer (and each telemetry after it) is waited for.</summary>
    public TimeSpan CommandLimit { get; }

    public Task SayAsync(string step) => _say(step);

    public Task DelayAsync(TimeSpan wait, CancellationToken ct) => wait <= TimeSpan.Zero ? Task.CompletedTask : Task.Delay(wait, _time, ct);

    /// <summary>A deadline <see cref="CommandLimit"/> from now: true while it has not passed.</summary>
    public Func<bool> Deadline()
    {
        long start = _time.GetTimestamp();
        return () => _time.GetElapsedTime(start) < CommandLimit;
    }

    /// <summary>Sends one self-test command and waits for its outcome: "ok" when the node acked it, else the final status
    /// with its message, or "no answer …".</summary>
    public async Task<string> RunAsync(string kind, JsonObject? args, CancellationToken ct)
    {
        var command = await _commissioning.SelfTestAsync(Actor, Node.Id, new SelfTestRequest(kind, args), ct);
        var open = Deadline();
        while (true)
        {
            var c = await _commands.GetAsync(command.Id, ct);
            if (c.Status is CommandStatus.Acked or CommandStatus.Failed or CommandStatus.Expired)
            {
                string? why = c.Message ?? c.Result;
                string outcome = c.Status == CommandStatus.Acked ? "ok" : c.Status + (why is null ? "" : " (" + why + ")");
                await SayAsync(kind + " → " + outcome);
                return outcome;
            }
            if (!open())
            {
                string late = "no answer within " + CommandLimit.TotalSeconds.ToString(CultureInfo.InvariantCulture) + " s (" + c.Status + ")";
                await SayAsync(kind + " → " + late);
                return late;
            }
            await DelayAsync(Poll, ct);
        }
    }

    /// <summary>The node's recent telemetry rows (gateway and seq): what arrives later is new.</summary>
    public async Task<HashSet<string>> TelemetrySeenAsync(CancellationToken ct) =>
        (await _history.TelemetryAsync(Node.Id, null, null, 50, ct)).Select(Key).ToHashSet(StringComparer.Ordinal);

    /// <summary>The newest telemetry payload not in <paramref name="seen"/> that satisfies <paramref name="match"/>,
    /// waiting for it up to <see cref="CommandLimit"/>; null when none came.</summary>
    public async Task<JsonElement?> TelemetryAsync(HashSet<string> seen, Func<JsonElement, bool> match, CancellationToken ct)
    {
        var open = Deadline();
        while (true)
        {
            foreach (var row in await _history.TelemetryAsync(Node.Id, null, null, 20, ct))
            {
                if (!seen.Contains(Key(row)) && match(row.Payload)) return row.Payload;
            }
            if (!open()) return null;
            await DelayAsync(Poll, ct);
        }
    }

    /// <summary>Waits until the node reports the config version the cloud wants it to run (a gauge cannot compute a
    /// level before it has its mounting height); true at once for a node with no desired config.</summary>
    public async Task<bool> WaitForConfigAsync(CancellationToken ct)
    {
        var open = Deadline();
        while (true)
        {
            var node = await _inventory.GetNodeAsync(Node.Id, ct);
            if (node.DesiredConfigVersion is not { } desired || node.AppliedConfigVersion >= desired) return true;
            if (!open())
            {
                await SayAsync("config version " + desired + " not applied yet (node reports "
                    + (node.AppliedConfigVersion?.ToString(CultureInfo.InvariantCulture) ?? "none") + ")");
                return false;
            }
            await DelayAsync(Poll, ct);
        }
    }

    private static string Key(TelemetryInfo row) => row.Gateway + "/" + row.Seq.ToString(CultureInfo.InvariantCulture);
}

/// <summary>Reading members of a telemetry payload.</summary>
internal static class Payloads
{
    public static double? Number(this JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;

    public static string? Text(this JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    public static bool Flag(this JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.True;
}
