using System;
using System.Collections.Generic;
using System.Diagnostics.Metrics;
using System.Linq;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using Edge.Gateway.Broker;
using Edge.Gateway.Downlink;
using Edge.Gateway.Operations;
using Edge.Gateway.Registry;
using Edge.Gateway.Uplink;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Edge.Gateway.Rules;

/// <summary>
/// Local flood rules that work without the cloud (issue 5 item 6). The flood state of each water node comes from its
/// <c>flood.state</c> events (protocol.md §7.3, the authoritative change, kept in the outbox) and from the <c>state</c>
/// member of its telemetry (§6.3, which carries the same hysteresis state and lets the gateway learn it after its
/// own restart). Both arrive through <see cref="INodeMessageFeed"/> right after their outbox commit, so a rule never
/// acts on a message the gateway could still lose.
///
/// A rule is active while any water node of its zone is in one of its <c>on</c> states. Activation: the banner on
/// the zone's bus stops (<see cref="DisplayComposer"/>), a QoS 1 <c>override</c> at <c>lightsLevel</c> to the zone's
/// street lights (§10.2, through <see cref="CommandDispatcher"/> so it is re-sent after births until acked, and
/// re-issued at half its hold time while the rule stays active), the siren relay on. Clearing undoes each:
/// the cloud's display content again, <c>override.clear</c>, siren off. Every change is logged, counted
/// (<c>edge.gateway.rule.firings{rule}</c> on activation) and appended to the outbox as a <c>rule</c> record.
/// </summary>
public sealed class RuleEngine : BackgroundService, IHealthComponent
{
    static readonly Regex CommandIdChars = new("[^A-Za-z0-9._:-]", RegexOptions.Compiled);

    readonly INodeMessageFeed _feed;
    readonly NodeRegistry _registry;
    readonly DisplayComposer _displays;
    readonly CommandDispatcher _commands;
    readonly GatewayRecords _records;
    readonly IRelayFactory _relays;
    readonly RulesOptions _options;
    readonly ILogger _logger;
    readonly TimeProvider _time; // node time (NodeTime): command times and override renewals (tests inject a clock)
    readonly Counter<long> _firings;
    readonly Counter<long> _actionFailures;
    readonly SemaphoreSlim _lock = new(1, 1);
    readonly Dictionary<string, string> _floodState = new(StringComparer.Ordinal);
    readonly Dictionary<string, ActiveRule> _active = new(StringComparer.Ordinal);
    readonly Dictionary<int, IRelay> _openRelays = new();
    IReadOnlyList<RuleDefinition> _rules = Array.Empty<RuleDefinition>();
    NodeMessageSubscription? _subscription;

    sealed record ActiveRule(RuleDefinition Rule, string Trigger, string State, DateTimeOffset OverrideIssued);

    public RuleEngine(INodeMessageFeed feed, NodeRegistry registry, DisplayComposer displays, CommandDispatcher commands, GatewayRecords records,
        IRelayFactory relays, RulesOptions options, GatewayMetrics metrics, ILogger<RuleEngine> logger, NodeTime time)
    {
        _time = time.Clock;
        _feed = feed;
        _registry = registry;
        _displays = displays;
        _commands = commands;
        _records = records;
        _relays = relays;
        _options = options;
        _logger = logger;
        _firings = metrics.Meter.CreateCounter<long>("edge.gateway.rule.firings", "{firing}", "Local rules that became active, by rule.");
        _actionFailures = metrics.Meter.CreateCounter<long>("edge.gateway.rule.action_failures", "{failure}", "Rule actions that could not be carried out, by action.");
        metrics.Meter.CreateObservableGauge("edge.gateway.rules.active", () => { lock (_active) return _active.Count; }, "{rule}", "Local rules active now.");
        metrics.Meter.CreateObservableGauge("edge.gateway.siren.driver.available",
            () => new Measurement<int>(_relays.Available ? 1 : 0, GatewayMetrics.Tag("driver", _relays.Driver)),
            null, "1 when the siren relay driver works on this machine, by driver.");
        if (!_relays.Available && _relays.Driver == "none")
        {
            // Chosen in the configuration (a gateway with no relay board): nothing is wrong, so no warning.
            _logger.LogInformation("No siren driver (Gateway:Rules:SirenDriver = none): rules with a siren action will report it as failed");
        }
        else if (!_relays.Available)
        {
            _logger.LogWarning("Siren driver {Driver} unavailable: {Detail}; rules with a siren action will report it as failed", _relays.Driver, _relays.Detail);
        }
    }

    public string Name => "siren";

    /// <summary>/health "siren": the relay driver's condition (never faked: an unavailable driver says so).</summary>
    public ComponentHealth Report() => new(
        _relays.Available ? "ok" : _relays.Driver == "none" ? "off" : "unavailable",
        _relays.Detail,
        new Dictionary<string, object?> { ["driver"] = _relays.Driver, ["activeRules"] = ActiveRules().ToArray() });

    public IReadOnlyList<string> ActiveRules()
    {
        lock (_active) return _active.Keys.ToList();
    }

    /// <summary>Replaces the rule set (from the downlink). Rules that disappear while active are cleared.</summary>
    public void Configure(IReadOnlyList<DesiredRule> rules)
    {
        var parsed = new List<RuleDefinition>();
        foreach (var rule in rules)
        {
            try
            {
                parsed.Add(RuleDefinition.Parse(rule.Document));
            }
            catch (Exception exception) when (exception is FormatException or JsonException or InvalidOperationException)
            {
                _logger.LogError("Rule {Id} ignored: {Reason}", rule.Id, exception.Message);
            }
        }
        _rules = parsed;
        _logger.LogInformation("Local rules: {Rules}", parsed.Count == 0 ? "none" : string.Join(", ", parsed.Select(r => $"{r.Id} (zone {r.Zone})")));
        _ = Task.Run(() => EvaluateAllAsync("reconfigured", CancellationToken.None));
    }

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // Only messages that tell a flood state: the rest (street-light and bus-stop telemetry, most of the traffic) never
        // wake the loop. The check runs on the broker's thread, where it costs about what one wake-up of the loop would.
        _subscription = _feed.Subscribe(m => FloodStateOf(m) is not null);
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var subscription = _subscription!;
        var renew = RenewOverridesAsync(stoppingToken);
        try
        {
            await foreach (var message in subscription.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
            {
                if (FloodStateOf(message) is not { } state) continue;
                bool changed;
                lock (_floodState)
                {
                    changed = !_floodState.TryGetValue(message.NodeId, out var previous) || previous != state;
                    _floodState[message.NodeId] = state;
                }
                if (!changed) continue;
                try
                {
                    await EvaluateZoneAsync(_registry.Find(message.NodeId)?.Zone, message.NodeId, stoppingToken).ConfigureAwait(false);
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    _logger.LogError(exception, "Rule evaluation after {NodeId} → {State} failed", message.NodeId, state);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        await renew.ConfigureAwait(false);
    }

    /// <summary>The flood state a message tells: <c>flood.state</c> <c>to</c> (§7.3) or waterlevel telemetry <c>state</c> (§6.3).</summary>
    static string? FloodStateOf(NodeMessage message)
    {
        if (message.Leaf is not (NodeTopics.Event or NodeTopics.Telemetry)) return null;
        // Most messages (street lights, bus stops) are not about floods: when the validator already read their type or
        // kind, they cost no second parse.
        if (message.Discriminator is { } told && told != (message.Leaf == NodeTopics.Event ? "flood.state" : "waterlevel")) return null;
        try
        {
            using var doc = JsonDocument.Parse(message.Payload);
            var root = doc.RootElement;
            if (message.Leaf == NodeTopics.Event)
            {
                return root.TryGetProperty("kind", out var k) && k.ValueKind == JsonValueKind.String && k.GetString() == "flood.state"
                    && root.TryGetProperty("to", out var to) && to.ValueKind == JsonValueKind.String ? to.GetString() : null;
            }
            return root.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String && t.GetString() == "waterlevel"
                && root.TryGetProperty("state", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    async Task EvaluateAllAsync(string why, CancellationToken cancellationToken)
    {
        try
        {
            var zones = _rules.Select(r => r.Zone).Concat(ActiveZones()).Distinct().ToList();
            foreach (var zone in zones) await EvaluateZoneAsync(zone, why, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            _logger.LogError(exception, "Rule evaluation ({Why}) failed", why);
        }
    }

    IEnumerable<string> ActiveZones()
    {
        lock (_active) return _active.Values.Select(a => a.Rule.Zone).ToList();
    }

    async Task EvaluateZoneAsync(string? zone, string trigger, CancellationToken cancellationToken)
    {
        if (zone is null) return;
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var waterNodes = _registry.List().Where(n => n.Zone == zone && n.Type == "waterlevel").Select(n => n.NodeId).ToHashSet();
            Dictionary<string, string> states;
            lock (_floodState) states = _floodState.Where(kv => waterNodes.Contains(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value);
            var rules = _rules.Where(r => r.Zone == zone).ToList();
            foreach (var rule in rules)
            {
                var hit = states.FirstOrDefault(kv => rule.On.Contains(kv.Value));
                ActiveRule? active;
                lock (_active) _active.TryGetValue(rule.Id, out active);
                if (hit.Key is not null && active is null)
                {
                    await ActivateAsync(rule, hit.Key, hit.Value, cancellationToken).ConfigureAwait(false);
                }
                else if (hit.Key is null && active is not null)
                {
                    var state = states.TryGetValue(trigger, out var s) ? s : "normal";
                    await ClearAsync(rule, trigger, state, cancellationToken).ConfigureAwait(false);
                }
            }
            // Rules removed by a reconfiguration while active.
            List<ActiveRule> orphans;
            lock (_active) orphans = _active.Values.Where(a => a.Rule.Zone == zone && !rules.Any(r => r.Id == a.Rule.Id)).ToList();
            foreach (var orphan in orphans) await ClearAsync(orphan.Rule, "rule-removed", "removed", cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _lock.Release();
        }
    }

    async Task ActivateAsync(RuleDefinition rule, string trigger, string state, CancellationToken cancellationToken)
    {
        _logger.LogWarning("Rule {Rule} fired: {Trigger} is {State} in zone {Zone}; actions {Actions}", rule.Id, trigger, state, rule.Zone, string.Join(",", rule.ActionNames()));
        lock (_active) _active[rule.Id] = new ActiveRule(rule, trigger, state, _time.GetUtcNow());
        _firings.Add(1, GatewayMetrics.Tag("rule", rule.Id));
        var done = new List<string>();
        var failed = new List<string>();
        if (rule.Banner is not null) await Try("banner", () => _displays.SetBannerAsync(rule.Zone, rule.Id, rule.Banner, cancellationToken), done, failed).ConfigureAwait(false);
        if (rule.LightsLevel is { } level) await Try("lights", () => SendToLightsAsync(rule, Override(rule, level), cancellationToken), done, failed).ConfigureAwait(false);
        if (rule.Siren is { } siren) await Try("siren", () => { SetSiren(siren, true); return Task.CompletedTask; }, done, failed).ConfigureAwait(false);
        await RecordAsync(rule, trigger, state, true, done, failed).ConfigureAwait(false);
    }

    async Task ClearAsync(RuleDefinition rule, string trigger, string state, CancellationToken cancellationToken)
    {
        _logger.LogWarning("Rule {Rule} cleared: zone {Zone} has no water node in {On} any more ({Trigger} is {State})", rule.Id, rule.Zone, string.Join("/", rule.On), trigger, state);
        lock (_active) _active.Remove(rule.Id);
        var done = new List<string>();
        var failed = new List<string>();
        if (rule.Banner is not null) await Try("banner", () => _displays.SetBannerAsync(rule.Zone, rule.Id, null, cancellationToken), done, failed).ConfigureAwait(false);
        if (rule.LightsLevel is not null) await Try("lights", () => SendToLightsAsync(rule, OverrideClear(rule), cancellationToken), done, failed).ConfigureAwait(false);
        if (rule.Siren is { } siren) await Try("siren", () => { SetSiren(siren, false); return Task.CompletedTask; }, done, failed).ConfigureAwait(false);
        await RecordAsync(rule, trigger, state, false, done, failed).ConfigureAwait(false);
    }

    async Task Try(string action, Func<Task> run, List<string> done, List<string> failed)
    {
        try
        {
            await run().ConfigureAwait(false);
            done.Add(action);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            _actionFailures.Add(1, GatewayMetrics.Tag("action", action));
            failed.Add($"{action}: {exception.Message}");
            _logger.LogError("Rule action {Action} failed: {Reason}", action, exception.Message);
        }
    }

    void SetSiren(SirenAction siren, bool on)
    {
        IRelay relay;
        lock (_openRelays)
        {
            if (!_openRelays.TryGetValue(siren.Gpio, out relay!))
            {
                relay = _relays.Open(siren);
                _openRelays[siren.Gpio] = relay;
            }
        }
        relay.Set(on);
    }

    async Task SendToLightsAsync(RuleDefinition rule, Func<string, DesiredCommand> command, CancellationToken cancellationToken)
    {
        foreach (var light in _registry.List().Where(n => n.Zone == rule.Zone && n.Type == "streetlight"))
        {
            await _commands.SubmitAsync(command(light.NodeId), cancellationToken).ConfigureAwait(false);
        }
    }

    Func<string, DesiredCommand> Override(RuleDefinition rule, int level) => node => Command(rule, node, "override", w =>
    {
        w.WriteNumber("level", level);
        w.WriteNumber("until", _time.GetUtcNow().ToUnixTimeSeconds() + _options.OverrideHoldSeconds);
        var reason = "rule " + rule.Id;
        w.WriteString("reason", reason.Length > 64 ? reason[..64] : reason);
        w.WriteString("origin", "rule"); // the node reports the level's source as "rule", not "override" (protocol.md §10.2)
    });

    Func<string, DesiredCommand> OverrideClear(RuleDefinition rule) => node => Command(rule, node, "override.clear", _ => { });

    DesiredCommand Command(RuleDefinition rule, string node, string kind, Action<Utf8JsonWriter> args)
    {
        var now = _time.GetUtcNow();
        var id = CommandIdChars.Replace($"r:{rule.Id}:{node}:{now.ToUnixTimeMilliseconds()}", "-");
        if (id.Length > 64) id = id[^64..];
        var expires = now.ToUnixTimeSeconds() + _options.CommandLifetimeSeconds;
        var payload = GatewayRecords.Json(w =>
        {
            w.WriteString("id", id);
            w.WriteString("kind", kind);
            w.WriteStartObject("args");
            args(w);
            w.WriteEndObject();
            w.WriteNumber("issued", now.ToUnixTimeSeconds());
            w.WriteNumber("expires", expires);
        });
        return new DesiredCommand(node, id, expires, payload);
    }

    async Task RecordAsync(RuleDefinition rule, string trigger, string state, bool active, List<string> done, List<string> failed)
    {
        var site = _registry.Find(trigger)?.Site ?? _registry.List().FirstOrDefault()?.Site ?? "";
        try
        {
            await _records.AppendRuleAsync(site, GatewayRecords.Json(w =>
            {
                w.WriteString("rule", rule.Id);
                w.WriteString("trigger", trigger);
                w.WriteString("state", state);
                w.WriteBoolean("active", active);
                w.WriteString("zone", rule.Zone);
                w.WriteStartArray("actions");
                foreach (var action in done) w.WriteStringValue(action);
                w.WriteEndArray();
                if (failed.Count > 0)
                {
                    w.WriteStartArray("failed");
                    foreach (var failure in failed) w.WriteStringValue(failure.Length > 200 ? failure[..200] : failure);
                    w.WriteEndArray();
                }
            })).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            _logger.LogError(exception, "Could not queue the rule record of {Rule}", rule.Id);
        }
    }

    /// <summary>Re-issues the lights override of active rules at half its hold time, so lights stay at full for the whole event.</summary>
    async Task RenewOverridesAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(30), _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                List<ActiveRule> due;
                lock (_active)
                {
                    due = _active.Values.Where(a => a.Rule.LightsLevel is not null
                        && _time.GetUtcNow() - a.OverrideIssued >= TimeSpan.FromSeconds(_options.OverrideHoldSeconds / 2.0)).ToList();
                }
                foreach (var active in due)
                {
                    lock (_active)
                    {
                        if (!_active.ContainsKey(active.Rule.Id)) continue;
                        _active[active.Rule.Id] = active with { OverrideIssued = _time.GetUtcNow() };
                    }
                    try
                    {
                        await SendToLightsAsync(active.Rule, Override(active.Rule, active.Rule.LightsLevel!.Value), stoppingToken).ConfigureAwait(false);
                    }
                    catch (Exception exception) when (exception is not OperationCanceledException)
                    {
                        _actionFailures.Add(1, GatewayMetrics.Tag("action", "lights"));
                        _logger.LogError("Renewing the override of rule {Rule} failed: {Reason}", active.Rule.Id, exception.Message);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
