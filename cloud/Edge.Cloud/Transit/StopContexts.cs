using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Edge.Cloud.Domain;
using Edge.Cloud.Transit.Realtime;

namespace Edge.Cloud.Transit;

/// <summary>What a sign's GTFS stops are served by in the active feed, for matching service alerts.</summary>
public static class StopContexts
{
    public static async Task<StopContext> LoadAsync(Tx tx, long feed, IReadOnlyCollection<string> stopIds)
    {
        var (names, stopParameters) = Tx.InList("@s", stopIds);
        (string, object?)[] parameters = [("@f", feed), .. stopParameters];
        var stops = new HashSet<string>(stopIds, StringComparer.Ordinal);
        var routes = new HashSet<string>(StringComparer.Ordinal);
        var agencies = new HashSet<string>(StringComparer.Ordinal);
        var types = new HashSet<int>();
        var trips = new HashSet<string>(StringComparer.Ordinal);
        if (stopIds.Count == 0) return new StopContext(stops, routes, agencies, types, trips);

        // An alert on a station reaches its platforms.
        foreach (var parent in await tx.QueryAsync($"SELECT parent_station FROM transit_stops WHERE feed = @f AND stop_id IN ({names}) AND parent_station IS NOT NULL",
                     r => r.GetString(0), parameters)) stops.Add(parent);
        var rows = await tx.QueryAsync(
            $"""
            SELECT DISTINCT t.trip_id, r.route_id, r.agency_id, r.route_type
            FROM transit_stop_times st
            JOIN transit_trips t ON t.feed = st.feed AND t.trip_id = st.trip_id
            JOIN transit_routes r ON r.feed = t.feed AND r.route_id = t.route_id
            WHERE st.feed = @f AND st.stop_id IN ({names})
            """,
            r => (Trip: r.GetString(0), Route: r.GetString(1), Agency: r.Str(2), Type: Convert.ToInt32(r.GetValue(3))), parameters);
        // routes.agency_id may be empty in a feed with one agency: the route is that agency's.
        var onlyAgency = rows.Any(r => r.Agency is null)
            ? (await tx.QueryAsync("SELECT agency_id FROM transit_agencies WHERE feed = @f AND agency_id IS NOT NULL", r => r.GetString(0), ("@f", feed)))
            : [];
        foreach (var row in rows)
        {
            trips.Add(row.Trip);
            routes.Add(row.Route);
            types.Add(row.Type);
            if (row.Agency is not null) agencies.Add(row.Agency);
            else agencies.UnionWith(onlyAgency);
        }
        return new StopContext(stops, routes, agencies, types, trips);
    }
}
