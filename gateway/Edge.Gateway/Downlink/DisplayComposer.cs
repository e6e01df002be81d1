using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Edge.Gateway.Broker;
using Edge.Gateway.Registry;
using Microsoft.Extensions.Logging;

namespace Edge.Gateway.Downlink;

/// <summary>
/// Publishes each bus stop's retained <c>display</c> (protocol.md §11): the cloud's content, with a local rule's
/// emergency banner laid over it while the rule is active (docs/display-content.md <c>banner</c>).
///
/// Versions: a node shows only a newer <c>version</c>, and the cloud's next document must still win after a banner
/// was shown and removed. So whenever what is shown changes (new cloud version, banner on, banner off) the gateway
/// publishes with <c>version = max(cloud version, retained version + 1)</c>: the cloud's own number while nothing was
/// overlaid (the normal case), otherwise the next number above everything published so far (protocol.md §11.1 "the
/// gateway's rule engine uses a higher range"). The node then reports the published number as <c>displayVersion</c>.
/// </summary>
public sealed class DisplayComposer
{
    readonly DownlinkStore _store;
    readonly INodePublisher _publisher;
    readonly RetainedStore _retained;
    readonly NodeRegistry _registry;
    readonly Rules.RulesOptions _options;
    readonly ILogger _logger;
    readonly SemaphoreSlim _lock = new(1, 1);
    readonly Dictionary<string, (string RuleId, JsonObject Banner)> _bannersByZone = new(StringComparer.Ordinal);

    readonly NodeTime _nodeTime;

    public DisplayComposer(DownlinkStore store, INodePublisher publisher, RetainedStore retained, NodeRegistry registry, Rules.RulesOptions options, NodeTime nodeTime, ILogger<DisplayComposer> logger)
    {
        _nodeTime = nodeTime;
        _store = store;
        _publisher = publisher;
        _retained = retained;
        _registry = registry;
        _options = options;
        _logger = logger;
    }

    /// <summary>Puts (or, with null, removes) a rule's banner on every bus stop of <paramref name="zone"/>.</summary>
    public async Task SetBannerAsync(string zone, string ruleId, JsonObject? banner, CancellationToken cancellationToken = default)
    {
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (banner is null)
            {
                if (_bannersByZone.TryGetValue(zone, out var current) && current.RuleId == ruleId) _bannersByZone.Remove(zone);
            }
            else
            {
                _bannersByZone[zone] = (ruleId, banner);
            }
            foreach (var node in _registry.List().Where(n => n.Type == "busstop" && n.Zone == zone))
            {
                await RefreshLockedAsync(node, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Publishes what <paramref name="nodeId"/> should show if it differs from what was last published.</summary>
    public async Task RefreshAsync(string nodeId, CancellationToken cancellationToken = default)
    {
        if (_registry.Find(nodeId) is not { } node) return;
        await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await RefreshLockedAsync(node, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _lock.Release();
        }
    }

    async Task RefreshLockedAsync(NodeRecord node, CancellationToken cancellationToken)
    {
        var cloud = _store.Display(node.NodeId);
        (string RuleId, JsonObject Banner)? banner = node.Zone is not null && _bannersByZone.TryGetValue(node.Zone, out var b) ? b : null;
        var sourceKey = $"{cloud?.Version ?? 0}|{banner?.RuleId}";
        var last = _store.PublishedDisplay(node.NodeId);
        if (last?.SourceKey == sourceKey) return;
        if (cloud is null && banner is null && last is null) return; // nothing was ever shown by us

        var now = _nodeTime.Now; // the stop judges validUntil by its own clock
        // The cloud sends the retained envelope of protocol.md §11.1 ({v, version, generated, content, timetable?}); the
        // banner, validity and version belong to its `content`, and the envelope's `version` must equal content.version.
        // A bare content document (no `content` member) is used as it is.
        var source = cloud is not null ? (JsonObject)JsonNode.Parse(cloud.Document)! : null;
        JsonObject? envelope = source is null
            ? new JsonObject { ["v"] = 1, ["generated"] = now.ToUnixTimeSeconds(), ["content"] = MinimalDocument(node, now) }
            : source["content"] is JsonObject ? source : null;
        var document = envelope is not null ? (JsonObject)envelope["content"]! : source!;
        if (banner is { } active)
        {
            document["banner"] = active.Banner.DeepClone();
            // The banner stays on screen only while the document is valid (docs/display-content.md "Offline fallback").
            var until = now.AddSeconds(_options.BannerValiditySeconds);
            if (!TryInstant(document["validUntil"], out var validUntil) || validUntil < until)
            {
                document["validUntil"] = Rfc3339(until);
            }
        }
        var retainedVersion = RetainedVersion(node);
        var version = Math.Max(cloud?.Version ?? 0, retainedVersion + 1);
        document["version"] = version;
        if (envelope is not null) envelope["version"] = version;
        var published = await _publisher.PublishDisplayAsync(node.Site, node.NodeId, JsonSerializer.SerializeToUtf8Bytes(envelope ?? document), cancellationToken).ConfigureAwait(false);
        if (!published)
        {
            _logger.LogWarning("Display {Version} for {NodeId} not published: the retained one is as new", version, node.NodeId);
        }
        _store.SetPublishedDisplay(node.NodeId, sourceKey, version);
        _logger.LogInformation("Display of {NodeId}: version {Version} (cloud {CloudVersion}{Banner})", node.NodeId, version, cloud?.Version ?? 0,
            banner is { } x ? ", banner of rule " + x.RuleId : "");
    }

    long RetainedVersion(NodeRecord node)
    {
        var payload = _retained.Get(NodeTopics.For(node.Site, node.NodeId, NodeTopics.Display));
        if (payload is null) return 0;
        try
        {
            using var doc = JsonDocument.Parse(payload);
            return doc.RootElement.TryGetProperty("version", out var v) && v.TryGetInt64(out var version) ? version : 0;
        }
        catch (JsonException)
        {
            return 0;
        }
    }

    /// <summary>A document with no arrivals, for a stop the cloud never sent content to (offline since installation).</summary>
    JsonObject MinimalDocument(NodeRecord node, DateTimeOffset now)
    {
        var offset = TimeZoneInfo.Local.GetUtcOffset(now.UtcDateTime);
        var name = node.Location is { Length: > 0 and <= 120 } location ? location : node.NodeId;
        return new JsonObject
        {
            ["schema"] = 1,
            ["version"] = 0,
            ["generatedAt"] = Rfc3339(now),
            ["validUntil"] = Rfc3339(now.AddSeconds(_options.BannerValiditySeconds)),
            ["utcOffset"] = (offset < TimeSpan.Zero ? "-" : "+") + offset.ToString(@"hh\:mm", CultureInfo.InvariantCulture),
            ["stop"] = new JsonObject { ["name"] = new JsonObject { ["el"] = name, ["en"] = name } },
            ["arrivals"] = new JsonArray(),
        };
    }

    static string Rfc3339(DateTimeOffset instant) => instant.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    static bool TryInstant(JsonNode? node, out DateTimeOffset instant)
    {
        instant = default;
        return node is JsonValue value && value.TryGetValue<string>(out var text)
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out instant);
    }
}
