using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Edge.Cloud.Desired;
using Edge.Cloud.Domain;
using Edge.Cloud.Storage;
using Edge.Cloud.Transit;

namespace Edge.Cloud.Commissioning;

/// <summary>
/// Bus stop: the test pattern (identify: the node id over the sign's header), then the departures. The cloud publishes
/// the next departures of the node's linked GTFS stops to it (<see cref="TimetablePublisher"/>, the display path of
/// protocol.md §11), asks for a full refresh, and reads back what the node says it shows: <c>contentVersion</c> and
/// <c>stale</c> of its telemetry (protocol.md §6.4) after a sample-now. Passes when the sign shows that content (or a
/// newer one) live, not its stored timetable. Fails with the reason when no stops are linked, no feed is active, the
/// cloud has no departures for the stops, or the sign shows other content.
/// </summary>
public sealed class BusStopSelfTest(IStorageConnections connections, TimetablePublisher publisher, TimeProvider time) : INodeSelfTest
{
    /// <summary>How many of the next departures the figures list (the large panel shows three under a banner).</summary>
    public const int Shown = 3;

    public string Type => "busstop";

    public async Task<SelfTestVerdict> RunAsync(SelfTestProbe probe, SelfTestRunRequest request, CancellationToken ct)
    {
        string node = probe.Node.Id;
        var figures = new JsonObject();
        string identify = await probe.RunAsync("identify", new JsonObject { ["durationS"] = 30 }, ct);
        figures["identify"] = identify;
        List<string> stopIds;
        await using (var tx = await Tx.ReadAsync(connections, ct)) stopIds = await StopLinks.StopIdsAsync(tx, node);
        figures["stopIds"] = new JsonArray(stopIds.Select(s => (JsonNode)s).ToArray());
        if (identify != "ok") return new(false, "test pattern not shown: identify " + identify, figures);
        if (stopIds.Count == 0)
            return new(false, "no GTFS stops are linked to the node, so the sign has no departures to show (link them: PUT /api/v1/nodes/" + node + "/gtfs-stops)", figures);
        var built = await publisher.BuildAsync(node, ct);
        if (built is null) return new(false, "no GTFS feed is active, so the cloud has no departures for the sign", figures);
        var next = Upcoming(built.Content);
        figures["departures"] = new JsonArray(next.Select(d => (JsonNode)d).ToArray());
        if (next.Count == 0)
            return new(false, "the cloud has no departures for GTFS stops " + string.Join(", ", stopIds) + " in its timetable window: nothing for the sign to show", figures);

        if (!(await publisher.PublishAsync(node, ct)).Contains(node))
            return new(false, "the departures could not be published to the sign (the cloud's log says why)", figures);
        long sent;
        await using (var tx = await Tx.ReadAsync(connections, ct)) sent = (await DisplayService.GetAsync(tx, node))!.Version;
        figures["displayVersion"] = sent;
        await probe.SayAsync("departures sent as content version " + sent + ": " + string.Join("; ", next));
        string refresh = await probe.RunAsync("display.refresh", null, ct);
        figures["displayRefresh"] = refresh;
        if (refresh != "ok") return new(false, "test pattern not shown: display.refresh " + refresh, figures);

        // The node applies the content when the gateway delivers it: ask again until it shows it or the time is up.
        var (shown, stale) = await ShownAsync(probe, sent, ct);
        figures["contentVersion"] = shown;
        figures["stale"] = stale;
        if (shown is null) return new(false, "the sign reported no content version after sample-now", figures);
        if (shown < sent)
            return new(false, "the sign shows content version " + shown + ", not the departures the cloud sent (version " + sent
                + "): not delivered, or refused (look for config.rejected with topic display)", figures);
        if (stale) return new(false, "the sign shows its stored timetable (stale), not the departures of content version " + sent, figures);
        return new(true, "test pattern shown (node id over the departures), panel refreshed; the sign shows the cloud's next departures (content version "
            + shown + "): " + string.Join("; ", next), figures);
    }

    private static async Task<(long? Version, bool Stale)> ShownAsync(SelfTestProbe probe, long sent, CancellationToken ct)
    {
        var open = probe.Deadline();
        (long? Version, bool Stale) last = (null, false);
        while (true)
        {
            var seen = await probe.TelemetrySeenAsync(ct);
            if (await probe.RunAsync("sample-now", null, ct) != "ok") return last;
            if (await probe.TelemetryAsync(seen, p => p.Number("contentVersion") is not null, ct) is { } t)
                last = ((long)t.Number("contentVersion")!.Value, t.Flag("stale"));
            if ((last.Version >= sent && !last.Stale) || !open()) return last;
            await probe.DelayAsync(TimeSpan.FromSeconds(1), ct);
        }
    }

    /// <summary>The next departures of display content (docs/display-content.md), cancelled ones left out, as the sign
    /// writes them: local time, route, destination.</summary>
    private List<string> Upcoming(JsonObject content)
    {
        var now = time.GetUtcNow();
        var offset = TimeSpan.Parse(content["utcOffset"]!.GetValue<string>().TrimStart('+'), CultureInfo.InvariantCulture);
        return content["arrivals"]!.AsArray()
            .Where(a => a!["cancelled"]?.GetValue<bool>() != true)
            .Select(a => (At: DateTimeOffset.Parse(a!["at"]!.GetValue<string>(), CultureInfo.InvariantCulture), Route: a["route"]!.GetValue<string>(),
                To: a["headsign"]!["en"]!.GetValue<string>()))
            .Where(a => a.At >= now)
            .Take(Shown)
            .Select(a => a.At.ToOffset(offset).ToString("HH:mm", CultureInfo.InvariantCulture) + " " + a.Route + " " + a.To)
            .ToList();
    }
}
