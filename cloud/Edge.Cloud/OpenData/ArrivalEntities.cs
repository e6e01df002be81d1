using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Edge.Cloud.Transit;
using Edge.Firmware.Protocol;

namespace Edge.Cloud.OpenData;

/// <summary>
/// The next arrivals at each bus stop as FIWARE <c>ArrivalEstimation</c> (dataModel.UrbanMobility): the same
/// arrivals the stop's sign counts down to (GTFS timetable with real-time updates applied, cancelled trips left
/// out), at most <see cref="MaxPerStop"/> per stop. Nothing without an active GTFS feed.
/// </summary>
public sealed class ArrivalEntities
{
    public const string Type = "ArrivalEstimation";
    public const int MaxPerStop = 16;

    private readonly TimetablePublisher _timetables;

    public ArrivalEntities(TimetablePublisher timetables) => _timetables = timetables;

    public async Task<List<NgsiEntity>> EntitiesAsync(OpenDataSnapshot snapshot, string provider, CancellationToken ct)
    {
        var entities = new List<NgsiEntity>();
        foreach (var stop in snapshot.Nodes.Where(n => n.Type == Wire.TypeBusStop))
        {
            var next = await _timetables.ArrivalsAsync(stop.Id, ct);
            if (next is null) return entities; // no feed: no stop has arrivals
            var now = next.Now.ToUnixTimeSeconds();
            foreach (var arrival in next.Arrivals.Where(a => a.At >= next.Now && !a.Cancelled && a.Scheduled is not null).OrderBy(a => a.At).Take(MaxPerStop))
            {
                var scheduled = arrival.Scheduled!;
                var at = arrival.At.ToUnixTimeSeconds();
                var localId = $"{stop.Id}:{Uri.EscapeDataString(scheduled.TripId)}:{DateTimeOffset.FromUnixTimeSeconds(at):yyyyMMdd'T'HHmm'Z'}";
                entities.Add(new NgsiEntity(Type, localId, stop.Point, now)
                    .Property("name", scheduled.Route)
                    .Property("dataProvider", provider)
                    .Property("headSign", scheduled.Headsign ?? scheduled.RouteLongName ?? scheduled.Route)
                    .Property("remainingTime", Duration(at - now))
                    .Relationship("hasTrip", "urn:ngsi-ld:GtfsTrip:" + Uri.EscapeDataString(scheduled.TripId))
                    .Relationships("hasStop", ["urn:ngsi-ld:GtfsStop:" + Uri.EscapeDataString(scheduled.StopId)]));
            }
        }
        return entities;
    }

    /// <summary>ISO 8601 duration in hours, minutes and seconds (<c>PT1H5M</c>, <c>PT0S</c>), as the schema's pattern asks.</summary>
    public static string Duration(long seconds)
    {
        var text = new StringBuilder("PT");
        if (seconds >= 3600) text.Append((seconds / 3600).ToString(CultureInfo.InvariantCulture)).Append('H');
        if (seconds % 3600 >= 60) text.Append((seconds % 3600 / 60).ToString(CultureInfo.InvariantCulture)).Append('M');
        if (seconds % 60 > 0 || seconds == 0) text.Append((seconds % 60).ToString(CultureInfo.InvariantCulture)).Append('S');
        return text.ToString();
    }
}
