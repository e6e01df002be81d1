using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using NodaTime;
using TransitRealtime;

namespace Edge.Sim.Agency;

/// <summary>
/// The demo agency's GTFS-Realtime feeds at an instant, built with the protobuf classes of the spec's
/// gtfs-realtime.proto. Simulated buses: each trip of today's (or, after midnight, yesterday's) service near
/// <c>now</c> runs 0–8¾ min late; now and then one skips a stop (SKIPPED) or is cancelled (CANCELED). Every
/// second hour an extra ferry bus runs that is in no timetable (ADDED). What happens to a trip is drawn from a
/// hash of its id and day, so every poll tells the same story. Alerts: the ferry link waits for late ships (a
/// notice on its stops) and a street market moves the Plataria stop every morning (a DETOUR: a banner).
/// </summary>
public static class DemoRealtime
{
    /// <summary>Trips starting up to this long ahead are in the feed.</summary>
    private static readonly Duration Ahead = Duration.FromMinutes(90);

    public sealed record Bus(AgencyTrip Trip, LocalDate Day, string StartDate, int DelaySeconds, bool Cancelled, int? SkippedSequence);

    /// <summary>The trips of the timetable near <paramref name="now"/> and what happens to each.</summary>
    public static IEnumerable<Bus> Buses(DemoNetwork network, Instant now)
    {
        var today = now.InZone(DemoNetwork.Zone).Date;
        foreach (var day in new[] { today.PlusDays(-1), today })
        {
            foreach (var trip in network.Trips.Where(t => network.Runs(t.ServiceId, day)))
            {
                var start = DemoNetwork.At(day, trip.Start);
                var end = DemoNetwork.At(day, trip.End) + Duration.FromMinutes(10);
                if (start - Ahead > now || end < now) continue;
                yield return Fate(trip, day);
            }
        }
    }

    /// <summary>What happens to <paramref name="trip"/> on service day <paramref name="day"/>: the same on every poll.</summary>
    public static Bus Fate(AgencyTrip trip, LocalDate day)
    {
        var date = day.ToString("uuuuMMdd", CultureInfo.InvariantCulture);
        var luck = Hash(trip.Id + "/" + date);
        var cancelled = luck % 17 == 0;
        var delay = (int)(luck / 17 % 36) * 15; // 0..525 s, in quarter minutes
        int? skipped = !cancelled && trip.Stops.Count >= 3 && luck % 7 == 0 ? 2 : null;
        return new Bus(trip, day, date, delay, cancelled, skipped);
    }

    /// <summary>The extra ferry buses (ADDED): KTEL at hh:35 of every even hour 08–20, the centre 4 min and the port
    /// 12 min later (service-day seconds).</summary>
    public static readonly IReadOnlyList<int> ExtraFerryStarts = [.. Enumerable.Range(0, 7).Select(i => ((8 + 2 * i) * 60 + 35) * 60)];

    public static readonly IReadOnlyList<(string Stop, int Minutes)> ExtraFerryCalls = [(DemoNetwork.Ktel.Id, 0), (DemoNetwork.Centre.Id, 4), (DemoNetwork.Port.Id, 12)];

    public static FeedMessage TripUpdates(DemoNetwork network, Instant now)
    {
        var message = Message(now);
        foreach (var bus in Buses(network, now))
        {
            var update = new TripUpdate { Trip = Descriptor(bus), Timestamp = (ulong)now.ToUnixTimeSeconds() };
            if (!bus.Cancelled)
            {
                // The delay at the first stop carries to the later ones (GTFS-Realtime propagation).
                update.StopTimeUpdate.Add(new TripUpdate.Types.StopTimeUpdate
                {
                    StopSequence = 1, StopId = bus.Trip.Stops[0].Stop,
                    Departure = new TripUpdate.Types.StopTimeEvent { Delay = bus.DelaySeconds },
                });
                if (bus.SkippedSequence is { } skipped)
                {
                    update.StopTimeUpdate.Add(new TripUpdate.Types.StopTimeUpdate
                    {
                        StopSequence = (uint)skipped, StopId = bus.Trip.Stops[skipped - 1].Stop,
                        ScheduleRelationship = TripUpdate.Types.StopTimeUpdate.Types.ScheduleRelationship.Skipped,
                    });
                }
            }
            message.Entity.Add(new FeedEntity { Id = bus.Trip.Id + "-" + bus.StartDate, TripUpdate = update });
        }
        foreach (var extra in ExtraFerryBuses(now)) message.Entity.Add(extra);
        return message;
    }

    /// <summary>Route 1's buses are named as the GTFS-Realtime reference also allows, without trip_id: by route_id,
    /// direction_id, start_time and start_date (the cloud finds the trip in its timetable); the others by trip_id.</summary>
    private static TripDescriptor Descriptor(Bus bus)
    {
        var trip = new TripDescriptor
        {
            RouteId = bus.Trip.Route.Id, StartDate = bus.StartDate,
            ScheduleRelationship = bus.Cancelled ? TripDescriptor.Types.ScheduleRelationship.Canceled : TripDescriptor.Types.ScheduleRelationship.Scheduled,
        };
        if (bus.Trip.Route == DemoNetwork.Route1)
        {
            trip.DirectionId = (uint)bus.Trip.Direction;
            trip.StartTime = DemoNetwork.Time(bus.Trip.Start);
        }
        else trip.TripId = bus.Trip.Id;
        return trip;
    }

    /// <summary>An extra ferry bus at hh:35 of every even hour 08–20: ADDED, in no timetable, its times absolute.</summary>
    private static IEnumerable<FeedEntity> ExtraFerryBuses(Instant now)
    {
        var today = now.InZone(DemoNetwork.Zone).Date;
        foreach (var start in ExtraFerryStarts)
        {
            var hour = start / 3600;
            var stops = ExtraFerryCalls;
            if (DemoNetwork.At(today, start) - Ahead > now || DemoNetwork.At(today, start + 12 * 60) + Duration.FromMinutes(5) < now) continue;
            var date = today.ToString("uuuuMMdd", CultureInfo.InvariantCulture);
            var update = new TripUpdate
            {
                Trip = new TripDescriptor
                {
                    TripId = $"X-{date}-{hour:00}35", RouteId = DemoNetwork.FerryLink.Id, StartDate = date, StartTime = $"{hour:00}:35:00",
#pragma warning disable CS0612 // ADDED is deprecated in favour of NEW, and still what most feeds send
                    ScheduleRelationship = TripDescriptor.Types.ScheduleRelationship.Added,
#pragma warning restore CS0612
                },
                TripProperties = new TripUpdate.Types.TripProperties { TripHeadsign = DemoNetwork.FerryLink.HeadsignEl },
                Timestamp = (ulong)now.ToUnixTimeSeconds(),
            };
            for (var i = 0; i < stops.Count; i++)
            {
                var at = DemoNetwork.At(today, start + stops[i].Minutes * 60).ToUnixTimeSeconds();
                update.StopTimeUpdate.Add(new TripUpdate.Types.StopTimeUpdate
                {
                    StopSequence = (uint)(i + 1), StopId = stops[i].Stop,
                    Arrival = new TripUpdate.Types.StopTimeEvent { Time = at }, Departure = new TripUpdate.Types.StopTimeEvent { Time = at },
                });
            }
            yield return new FeedEntity { Id = update.Trip.TripId, TripUpdate = update };
        }
    }

    /// <summary>Where each running bus is: between the two stops its delayed schedule puts it.</summary>
    public static FeedMessage VehiclePositions(DemoNetwork network, Instant now)
    {
        var message = Message(now);
        var stops = DemoNetwork.Stops.ToDictionary(s => s.Id);
        foreach (var bus in Buses(network, now).Where(b => !b.Cancelled))
        {
            var times = bus.Trip.Stops.Select(s => DemoNetwork.At(bus.Day, s.Time) + Duration.FromSeconds(bus.DelaySeconds)).ToList();
            if (now < times[0] || now > times[^1]) continue;
            var next = times.FindIndex(t => t >= now);
            var from = stops[bus.Trip.Stops[Math.Max(0, next - 1)].Stop];
            var to = stops[bus.Trip.Stops[next].Stop];
            var span = next == 0 ? 1 : (times[next] - times[next - 1]).TotalSeconds;
            var f = next == 0 ? 1 : (now - times[next - 1]).TotalSeconds / span;
            message.Entity.Add(new FeedEntity
            {
                Id = "bus-" + bus.Trip.Id,
                Vehicle = new VehiclePosition
                {
                    Trip = new TripDescriptor { TripId = bus.Trip.Id, RouteId = bus.Trip.Route.Id, StartDate = bus.StartDate },
                    Position = new Position { Latitude = (float)(from.Lat + (to.Lat - from.Lat) * f), Longitude = (float)(from.Lon + (to.Lon - from.Lon) * f) },
                    CurrentStopSequence = (uint)(next + 1), StopId = to.Id,
                    CurrentStatus = f >= 1 ? VehiclePosition.Types.VehicleStopStatus.StoppedAt : VehiclePosition.Types.VehicleStopStatus.InTransitTo,
                    Timestamp = (ulong)now.ToUnixTimeSeconds(),
                },
            });
        }
        return message;
    }

    public static FeedMessage Alerts(Instant now)
    {
        var message = Message(now);
        var ferry = new Alert
        {
            Cause = Alert.Types.Cause.OtherCause, Effect = Alert.Types.Effect.OtherEffect,
            HeaderText = Text("Τα λεωφορεία για το λιμάνι περιμένουν τα πλοία έως 15 λεπτά.", "Port buses wait up to 15 min for late ferries."),
        };
        ferry.InformedEntity.Add(new EntitySelector { RouteId = DemoNetwork.FerryLink.Id });
        message.Entity.Add(new FeedEntity { Id = "ferry-wait", Alert = ferry });

        var today = now.InZone(DemoNetwork.Zone).Date;
        var market = new Alert
        {
            Cause = Alert.Types.Cause.OtherCause, Effect = Alert.Types.Effect.Detour,
            HeaderText = Text("Λαϊκή αγορά: η στάση μεταφέρθηκε", "Street market: stop moved"),
            DescriptionText = Text("Έως τις 14:00 τα λεωφορεία σταματούν στην πλατεία.", "Until 14:00 buses stop at the square."),
        };
        market.ActivePeriod.Add(new TimeRange
        {
            Start = (ulong)today.At(new LocalTime(8, 0)).InZoneLeniently(DemoNetwork.Zone).ToInstant().ToUnixTimeSeconds(),
            End = (ulong)today.At(new LocalTime(14, 0)).InZoneLeniently(DemoNetwork.Zone).ToInstant().ToUnixTimeSeconds(),
        });
        market.InformedEntity.Add(new EntitySelector { StopId = DemoNetwork.Plataria.Id });
        message.Entity.Add(new FeedEntity { Id = "plataria-market-" + today.ToString("uuuuMMdd", CultureInfo.InvariantCulture), Alert = market });
        return message;
    }

    private static TranslatedString Text(string el, string en)
    {
        var text = new TranslatedString();
        text.Translation.Add(new TranslatedString.Types.Translation { Text = el, Language = "el" });
        text.Translation.Add(new TranslatedString.Types.Translation { Text = en, Language = "en" });
        return text;
    }

    private static FeedMessage Message(Instant now) => new()
    {
        Header = new FeedHeader
        {
            GtfsRealtimeVersion = "2.0", Incrementality = FeedHeader.Types.Incrementality.FullDataset, Timestamp = (ulong)now.ToUnixTimeSeconds(),
        },
    };

    /// <summary>FNV-1a: stable across runs and platforms (string.GetHashCode is not).</summary>
    private static uint Hash(string text)
    {
        var hash = 2166136261u;
        foreach (var c in text) hash = (hash ^ c) * 16777619u;
        return hash;
    }
}
