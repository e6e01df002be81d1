using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Edge.Cloud.Domain;
using Edge.Cloud.Storage;
using Microsoft.Extensions.Logging;

namespace Edge.Cloud.Transit.Realtime;

/// <summary>
/// Trip updates for trips the active timetable does not have (not ADDED ones: those carry their own stops). Their
/// updates cannot be applied — there is no schedule to carry a delay along — so they are ignored, but an agency whose
/// realtime system and published timetable disagree (a new timetable not yet exported, trip ids regenerated) must
/// see it: the ids go to the feed status and a warning is logged when the set changes, not on every poll. So do the
/// updates that name their trip without trip_id (by route, direction, start time and date) but match no trip of the
/// timetable or several: they are not guessed.
/// </summary>
public static class UnknownTrips
{
    /// <summary>The feed status lists at most this many (and counts the rest).</summary>
    public const int MaxListed = 20;

    /// <summary>Looks up the held feed's trips named without trip_id if not yet done (<see cref="TripDescriptors"/>), then finds its
    /// unknown trips — the unknown trip ids, then the descriptors that matched no trip or several, with the reason —
    /// records them on <paramref name="feed"/> and logs a change.</summary>
    public static async Task<IReadOnlyList<string>> CheckAsync(IStorageConnections connections, TripUpdates feed, ILogger logger, CancellationToken ct)
    {
        var held = feed.Current;
        if (held.Descriptors.Count > 0)
        {
            // A feed taken without the lookup (the poller looks up before it takes one; a feed taken before the first
            // GTFS import has its descriptors pending).
            var resolved = await TripUpdates.ResolveAsync(connections, held, ct);
            if (feed.Replace(held, resolved)) held = resolved;
        }
        IReadOnlyList<string> unknown = [.. await FindAsync(connections, held.ByTrip.Keys.ToList(), ct), .. held.Unmatched];
        var before = feed.UnknownTrips;
        feed.UnknownTrips = unknown;
        if (unknown.Count > 0 && !unknown.SequenceEqual(before, StringComparer.Ordinal))
        {
            logger.LogWarning("GTFS-Realtime trip updates name {Count} trip(s) the active timetable does not have or cannot tell apart, ignored: {Trips}",
                unknown.Count, string.Join("; ", unknown.Take(MaxListed)));
        }
        return unknown;
    }

    /// <summary>Of <paramref name="tripIds"/>, those not in the active feed's trips.txt, in ordinal order; none while no
    /// feed is active (a realtime poll before the first import has no timetable to disagree with).</summary>
    public static async Task<IReadOnlyList<string>> FindAsync(IStorageConnections connections, IReadOnlyCollection<string> tripIds, CancellationToken ct)
    {
        if (tripIds.Count == 0) return Array.Empty<string>();
        await using var tx = await Tx.ReadAsync(connections, ct);
        if (await GtfsStore.ActiveAsync(tx) is not { } active) return Array.Empty<string>();
        var known = new HashSet<string>(StringComparer.Ordinal);
        foreach (var chunk in tripIds.Chunk(500))
        {
            var (names, tripParameters) = Tx.InList("@t", chunk);
            known.UnionWith(await tx.QueryAsync($"SELECT trip_id FROM transit_trips WHERE feed = @f AND trip_id IN ({names})",
                r => r.GetString(0), [("@f", active.Feed), .. tripParameters]));
        }
        return tripIds.Where(t => !known.Contains(t)).Order(StringComparer.Ordinal).ToList();
    }
}
