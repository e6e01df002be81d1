using System;
using System.Collections.Generic;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Threading;
using System.Threading.Tasks;
using Edge.Gateway.Broker;
using Edge.Gateway.Operations;
using Edge.Gateway.Registry;
using Edge.Gateway.Rules;
using Edge.Gateway.Uplink;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Edge.Gateway.Downlink;

/// <summary>
/// The desired-state long poll (docs/uplink.md §3): <c>GET …/desired?after={cursor}&amp;waitS=…</c>, each answer stored
/// with its cursor in <see cref="DownlinkStore"/> and then applied — nodes provisioned into the registry, configs
/// published retained, displays through <see cref="DisplayComposer"/>, rules to <see cref="RuleEngine"/>, commands
/// through <see cref="CommandDispatcher"/>. At start the cached state is applied first, so a gateway restarted
/// without uplink serves its nodes the last desired state (retained configs also survive in gateway.db).
/// </summary>
public sealed class DownlinkService : BackgroundService, IHealthComponent
{
    readonly DownlinkStore _store;
    readonly INodeTransport _transport;
    readonly NodeRegistry _registry;
    readonly CommandDispatcher _commands;
    readonly DisplayComposer _displays;
    readonly RuleEngine _rules;
    readonly UplinkOptions _uplink;
    readonly DownlinkOptions _options;
    readonly ILogger _logger;
    readonly HttpClient _http;
    readonly Backoff _backoff;
    volatile bool _up;
    volatile string? _lastError;
    long _lastPollMs;

    public DownlinkService(DownlinkStore store, INodeTransport transport, NodeRegistry registry, CommandDispatcher commands, DisplayComposer displays,
        RuleEngine rules, UplinkOptions uplink, DownlinkOptions options, ILogger<DownlinkService> logger)
    {
        _store = store;
        _transport = transport;
        _registry = registry;
        _commands = commands;
        _displays = displays;
        _rules = rules;
        _uplink = uplink;
        _options = options;
        _logger = logger;
        _http = new HttpClient { Timeout = TimeSpan.FromSeconds(Math.Clamp(options.WaitSeconds, 0, 60) + 20) };
        _backoff = new Backoff(TimeSpan.FromMilliseconds(options.BackoffBaseMilliseconds), TimeSpan.FromMilliseconds(options.BackoffCapMilliseconds));
    }

    public string Name => "downlink";

    public ComponentHealth Report() => new(_up ? "ok" : "degraded", _up ? null : _lastError ?? "no answer yet; serving the cached desired state",
        new Dictionary<string, object?> { ["cursor"] = _store.Cursor, ["lastPollUnixMs"] = Interlocked.Read(ref _lastPollMs) });

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await ApplyCachedAsync(stoppingToken).ConfigureAwait(false);
            if (_uplink.BaseUrl.Length == 0) return;
            while (!stoppingToken.IsCancellationRequested)
            {
                var state = await PollAsync(stoppingToken).ConfigureAwait(false);
                // The poll's response may complete on a socket event thread; what follows writes downlink.db and
                // gateway.db (SocketCompletions).
                await SocketCompletions.LeaveEventThread();
                if (state is null)
                {
                    await Task.Delay(_backoff.NextDelay(), stoppingToken).ConfigureAwait(false);
                    continue;
                }
                _backoff.Reset();
                _store.Save(state);
                await ApplyAsync(state, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Applies what downlink.db holds (after a restart, with or without uplink).</summary>
    async Task ApplyCachedAsync(CancellationToken cancellationToken)
    {
        _rules.Configure(_store.Rules());
        foreach (var config in _store.Configs()) await PublishConfigAsync(config, cancellationToken).ConfigureAwait(false);
        foreach (var node in _registry.List())
        {
            if (node.Type == "busstop") await _displays.RefreshAsync(node.NodeId, cancellationToken).ConfigureAwait(false);
        }
        _logger.LogInformation("Downlink: cached desired state applied (cursor '{Cursor}')", _store.Cursor);
    }

    async Task<DesiredState?> PollAsync(CancellationToken cancellationToken)
    {
        var baseUrl = _uplink.BaseUrl.EndsWith('/') ? _uplink.BaseUrl : _uplink.BaseUrl + "/";
        var uri = new Uri(new Uri(baseUrl), $"api/v1/gateways/{Uri.EscapeDataString(_uplink.GatewayId)}/desired?after={Uri.EscapeDataString(_store.Cursor)}&waitS={Math.Clamp(_options.WaitSeconds, 0, 60)}");
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _uplink.Token);
        try
        {
            using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            Interlocked.Exchange(ref _lastPollMs, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            if (!response.IsSuccessStatusCode)
            {
                return Failed($"HTTP {(int)response.StatusCode}");
            }
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            var state = DesiredState.Parse(body);
            if (!_up) _logger.LogInformation("Downlink: connected to the cloud");
            _up = true;
            _lastError = null;
            return state;
        }
        catch (Exception exception) when (exception is HttpRequestException or FormatException or System.Text.Json.JsonException
                                          || (exception is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return Failed(exception.GetType().Name + ": " + exception.Message);
        }
    }

    DesiredState? Failed(string reason)
    {
        if (_up || _lastError is null) _logger.LogWarning("Downlink: poll failed ({Reason}); serving the cached desired state", reason);
        _up = false;
        _lastError = reason;
        return null;
    }

    async Task ApplyAsync(DesiredState state, CancellationToken cancellationToken)
    {
        foreach (var node in state.Nodes) await ProvisionAsync(node).ConfigureAwait(false);
        foreach (var config in state.Configs) await PublishConfigAsync(config, cancellationToken).ConfigureAwait(false);
        foreach (var display in state.Displays) await _displays.RefreshAsync(display.Node, cancellationToken).ConfigureAwait(false);
        if (state.Rules.Count > 0 || state.Full) _rules.Configure(_store.Rules());
        if (state.Commands.Count > 0) await _commands.SendUnsentAsync(cancellationToken).ConfigureAwait(false);
    }

    async Task ProvisionAsync(DesiredNode desired)
    {
        try
        {
            var existing = _registry.Find(desired.Node);
            if (desired.Removed)
            {
                if (existing is null) return;
                _registry.Remove(desired.Node);
                await _transport.DisconnectAsync(desired.Node).ConfigureAwait(false);
                await _transport.ClearRetainedAsync(existing.Site, desired.Node).ConfigureAwait(false);
                _logger.LogInformation("Downlink: node {NodeId} removed", desired.Node);
                return;
            }
            var site = desired.Site ?? existing?.Site ?? _options.DefaultSite;
            var type = desired.Type ?? existing?.Type ?? throw new FormatException($"nodes[{desired.Node}].type: required for a new node");
            if (desired.SecretHash is null) throw new FormatException($"nodes[{desired.Node}].secretHash: required");
            _registry.UpsertFromCloud(new NodeRegistration(desired.Node, site, type, desired.Location, desired.Zone), desired.SecretHash);
        }
        catch (Exception exception) when (exception is ArgumentException or FormatException)
        {
            _logger.LogError("Downlink: node {NodeId} not provisioned: {Reason}", desired.Node, exception.Message);
        }
    }

    async Task PublishConfigAsync(DesiredDocument config, CancellationToken cancellationToken)
    {
        if (_registry.Find(config.Node) is not { } node)
        {
            _logger.LogWarning("Downlink: config {Version} for unknown node {NodeId} kept until it is provisioned", config.Version, config.Node);
            return;
        }
        try
        {
            if (await _transport.PublishConfigAsync(node.Site, node.NodeId, config.Document, cancellationToken).ConfigureAwait(false))
            {
                _logger.LogInformation("Config {Version} published to {NodeId}", config.Version, node.NodeId);
            }
        }
        catch (ArgumentException exception)
        {
            _logger.LogError("Downlink: config {Version} for {NodeId} refused: {Reason}", config.Version, node.NodeId, exception.Message);
        }
    }

    public override void Dispose()
    {
        _http.Dispose();
        base.Dispose();
    }
}
