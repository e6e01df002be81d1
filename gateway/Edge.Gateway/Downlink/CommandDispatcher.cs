using System;
using System.IO;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Edge.Gateway.Broker;
using Edge.Gateway.Registry;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Edge.Gateway.Downlink;

/// <summary>
/// Delivers commands and time to nodes (protocol.md §10, §12, §16.4): a command is sent once when it arrives, then
/// again after every birth of its node while it has no ack and has not expired (and after
/// <see cref="DownlinkOptions.CommandResendSeconds"/> without an ack, §10.4 rule 3 "MAY"); the node's dedupe makes
/// re-sending safe. After a birth, <c>time</c> goes first (§12.3), then the pending commands, then the overrides still in
/// force (<see cref="OverrideLedger"/>, §10.5). Acks (any result) end
/// re-sending; they reach the cloud as <c>ack</c> records through the outbox like every node message.
/// </summary>
public sealed class CommandDispatcher : BackgroundService
{
    readonly DownlinkStore _store;
    readonly OverrideLedger _overrides;
    readonly INodePublisher _publisher;
    readonly INodeMessageFeed _feed;
    readonly NodeRegistry _registry;
    readonly DownlinkOptions _options;
    readonly ILogger _logger;
    NodeMessageSubscription? _subscription;

    readonly NodeTime _nodeTime;

    public CommandDispatcher(DownlinkStore store, INodePublisher publisher, INodeMessageFeed feed, NodeRegistry registry, DownlinkOptions options, NodeTime nodeTime, ILogger<CommandDispatcher> logger)
    {
        _nodeTime = nodeTime;
        _store = store;
        _overrides = new OverrideLedger(store);
        _publisher = publisher;
        _feed = feed;
        _registry = registry;
        _options = options;
        _logger = logger;
    }

    /// <summary>Stores a command (if new) and sends it now if its node is connected.</summary>
    public async Task SubmitAsync(DesiredCommand command, CancellationToken cancellationToken = default)
    {
        _store.AddCommand(command);
        await SendAsync(command, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends every pending command of the store once (after a poll stored new ones).</summary>
    public async Task SendUnsentAsync(CancellationToken cancellationToken)
    {
        foreach (var pending in _store.Pending(null, Now()))
        {
            if (pending.Sends == 0) await SendAsync(pending.Command, cancellationToken).ConfigureAwait(false);
        }
    }

    async Task SendAsync(DesiredCommand command, CancellationToken cancellationToken)
    {
        var node = _registry.Find(command.Node);
        if (node is null)
        {
            _logger.LogWarning("Command {Id} for unknown node {NodeId} kept until the node is provisioned", command.Id, command.Node);
            return;
        }
        if (!node.Connected) return; // sent after its next birth
        try
        {
            await _publisher.SendCommandAsync(node.Site, node.NodeId, command.Payload, cancellationToken).ConfigureAwait(false);
            _store.MarkSent(command.Id, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        }
        catch (ArgumentException exception)
        {
            _logger.LogError("Command {Id} for {NodeId} cannot be sent: {Reason}", command.Id, command.Node, exception.Message);
            _store.MarkAcked(command.Node, command.Id, "gateway-refused");
        }
    }

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // Before any node can be born after start; births and acks only, so telemetry never wakes this loop.
        _subscription = _feed.Subscribe(m => (m.Leaf == NodeTopics.State && m.Birth) || m.Leaf == NodeTopics.CmdAck);
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var subscription = _subscription!;
        var periodic = PeriodicAsync(stoppingToken);
        try
        {
            await foreach (var message in subscription.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    if (message.Leaf == NodeTopics.State && message.Birth)
                    {
                        await OnBirthAsync(message.Site, message.NodeId, stoppingToken).ConfigureAwait(false);
                    }
                    else if (message.Leaf == NodeTopics.CmdAck && ReadAck(message.Payload) is { } ack)
                    {
                        if (_store.MarkAcked(message.NodeId, ack.Id, ack.Result))
                        {
                            _logger.LogInformation("Command {Id} acked by {NodeId}: {Result}", ack.Id, message.NodeId, ack.Result);
                        }
                        _overrides.OnAck(message.NodeId, ack.Id, ack.Result == "duplicate" ? ack.Original ?? "" : ack.Result);
                    }
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    _logger.LogError(exception, "Downlink handling of {Leaf} from {NodeId} failed", message.Leaf, message.NodeId);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        await periodic.ConfigureAwait(false);
    }

    async Task OnBirthAsync(string site, string nodeId, CancellationToken cancellationToken)
    {
        await _publisher.SendTimeAsync(site, nodeId, TimePayload(), cancellationToken).ConfigureAwait(false);
        var pending = _store.Pending(nodeId, Now());
        foreach (var command in pending)
        {
            await _publisher.SendCommandAsync(site, nodeId, command.Command.Payload, cancellationToken).ConfigureAwait(false);
            _store.MarkSent(command.Command.Id, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        }
        if (pending.Count > 0)
        {
            _logger.LogInformation("Birth of {NodeId}: re-sent {Count} unacknowledged commands", nodeId, pending.Count);
        }
        // Overrides are desired state (protocol.md §10.5): the ones still in force go again after every birth.
        var overrides = _overrides.Resends(nodeId, Now());
        foreach (var payload in overrides)
        {
            await _publisher.SendCommandAsync(site, nodeId, payload, cancellationToken).ConfigureAwait(false);
        }
        if (overrides.Count > 0)
        {
            _logger.LogInformation("Birth of {NodeId}: re-asserted {Count} overrides in force", nodeId, overrides.Count);
        }
    }

    /// <summary>Every 10 s: re-send commands without an ack for CommandResendSeconds; hourly time to connected nodes (§12.3); prune old commands.</summary>
    async Task PeriodicAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(10));
        var lastTime = DateTimeOffset.UtcNow;
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    var nowMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                    if (_options.CommandResendSeconds > 0)
                    {
                        foreach (var pending in _store.Pending(null, Now()))
                        {
                            if (pending.Sends > 0 && nowMs - pending.LastSentUnixMs >= _options.CommandResendSeconds * 1000L)
                            {
                                await SendAsync(pending.Command, stoppingToken).ConfigureAwait(false);
                            }
                        }
                    }
                    if (DateTimeOffset.UtcNow - lastTime >= TimeSpan.FromHours(1))
                    {
                        lastTime = DateTimeOffset.UtcNow;
                        foreach (var node in _registry.List())
                        {
                            if (node.Connected) await _publisher.SendTimeAsync(node.Site, node.NodeId, TimePayload(), stoppingToken).ConfigureAwait(false);
                        }
                        _store.PruneCommands(Now());
                    }
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    _logger.LogError(exception, "Periodic command re-send failed");
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>protocol.md §12.2. The source is <c>ntp</c> only when systemd-timesyncd says the clock is synchronised; otherwise <c>rtc</c>.</summary>
    public static byte[] TimePayload()
    {
        var now = DateTimeOffset.UtcNow;
        var source = File.Exists("/run/systemd/timesync/synchronized") ? "ntp" : "rtc";
        return JsonSerializer.SerializeToUtf8Bytes(new { v = 1, ts = now.ToUnixTimeSeconds(), ms = now.Millisecond, source });
    }

    static (string Id, string Result, string? Original)? ReadAck(byte[] payload)
    {
        try
        {
            using var doc = JsonDocument.Parse(payload);
            var root = doc.RootElement;
            var original = root.TryGetProperty("original", out var o) && o.ValueKind == JsonValueKind.String ? o.GetString() : null;
            return root.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String && root.TryGetProperty("result", out var r) && r.ValueKind == JsonValueKind.String
                ? (id.GetString()!, r.GetString()!, original) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Expiry checks in the time the commands were written in (<see cref="NodeTime"/>).</summary>
    long Now() => _nodeTime.UnixSeconds;
}
