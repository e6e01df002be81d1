using System;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Edge.Cloud.Desired;
using Edge.Cloud.Transit;
using Edge.Cloud.Transit.Realtime;
using Google.Protobuf;
using Microsoft.Extensions.DependencyInjection;
using TransitRealtime;

namespace Edge.Cloud.Tests.Transit;

/// <summary>GTFS-Realtime ServiceAlerts as the stop's notices and banner, ADDED trips, and the refresh that keeps live
/// content live on the sign — feeds built in code from the spec's .proto, on the route 2 feed of RealtimeTests.cs
/// (KTEL → IGO_PORT → PLAT; bs-port-1 is linked to IGO_PORT).</summary>
public abstract partial class TransitSuite
{
    private static TranslatedString Text(params (string? Language, string Text)[] translations)
    {
        var text = new TranslatedString();
        foreach (var (language, value) in translations)
        {
            var t = new TranslatedString.Types.Translation { Text = value };
            if (language is not null) t.Language = language;
            text.Translation.Add(t);
        }
        return text;
    }

    private static FeedEntity AlertEntity(string id, Alert.Types.Effect effect, string headerEn, EntitySelector selector, TimeRange? period = null, TranslatedString? header = null)
    {
        var alert = new Alert { Effect = effect, HeaderText = header ?? Text(("en", headerEn)) };
        alert.InformedEntity.Add(selector);
        if (period is not null) alert.ActivePeriod.Add(period);
        return new FeedEntity { Id = id, Alert = alert };
    }

    private static FeedMessage Message(long timestamp) =>
        new() { Header = new FeedHeader { GtfsRealtimeVersion = "2.0", Timestamp = (ulong)timestamp } };

    private async Task<JsonObject> PortContentAsync() => (await Services.GetRequiredService<TimetablePublisher>().BuildAsync("bs-port-1"))!.Content;

    [Fact]
    public async Task Service_alerts_that_reach_the_stop_become_its_notices_and_a_severe_one_its_banner_while_active()
    {
        await LinkRoute2Async();
        var noon = SaturdayNoonUtc.ToUnixTimeSeconds();
        var message = Message(noon - 5);
        // Reaches the port, DETOUR (severe) from 11:00Z to 13:00Z: the banner, title from header_text, text from description_text.
        var detour = AlertEntity("detour", Alert.Types.Effect.Detour, "", new EntitySelector { StopId = "IGO_PORT" },
            new TimeRange { Start = (ulong)(noon - 3600), End = (ulong)(noon + 3600) },
            Text(("el-GR", "Παράκαμψη λόγω έργων"), ("en-GB", "Detour: roadworks")));
        detour.Alert.DescriptionText = Text(("el", "Τα λεωφορεία σταματούν στην οδό Αγίων Αποστόλων."), ("en", "Buses stop in Agion Apostolon street."));
        message.Entity.Add(detour);
        // Route 2 calls at the port: a notice. One untagged translation serves both languages.
        message.Entity.Add(AlertEntity("fares", Alert.Types.Effect.OtherEffect, "", new EntitySelector { RouteId = "R2" }, header: Text((null, "Νέα κόμιστρα / New fares"))));
        // Plataria only: not this stop.
        message.Entity.Add(AlertEntity("plataria", Alert.Types.Effect.StopMoved, "Plataria stop moved", new EntitySelector { StopId = "PLAT" }));
        // Route 2 AND Plataria (one selector: both must hold): not this stop.
        message.Entity.Add(AlertEntity("r2-at-plat", Alert.Types.Effect.ReducedService, "Route 2 at Plataria", new EntitySelector { RouteId = "R2", StopId = "PLAT" }));
        // The agency, but over before now: not shown. The agency from 10:00Z with no end: a notice.
        message.Entity.Add(AlertEntity("over", Alert.Types.Effect.OtherEffect, "Strike yesterday", new EntitySelector { AgencyId = "KTEL" },
            new TimeRange { Start = (ulong)(noon - 86400), End = (ulong)(noon - 3600) }));
        message.Entity.Add(AlertEntity("agency", Alert.Types.Effect.ModifiedService, "Winter timetable", new EntitySelector { AgencyId = "KTEL" },
            new TimeRange { Start = (ulong)(noon - 7200) }));
        // A trip of the feed that calls at the port (E15); a trip that does not exist.
        message.Entity.Add(AlertEntity("e15", Alert.Types.Effect.SignificantDelays, "E15 runs late", new EntitySelector { Trip = new TripDescriptor { TripId = "E15" } }));
        message.Entity.Add(AlertEntity("e99", Alert.Types.Effect.OtherEffect, "E99", new EntitySelector { Trip = new TripDescriptor { TripId = "E99" } }));
        var alerts = Services.GetRequiredService<ServiceAlerts>();
        Assert.Equal(RealtimeRefusal.None, alerts.Accept(message.ToByteArray(), out _));

        var content = await PortContentAsync();
        Assert.Equal("""{"title":{"el":"Παράκαμψη λόγω έργων","en":"Detour: roadworks"},"text":{"el":"Τα λεωφορεία σταματούν στην οδό Αγίων Αποστόλων.","en":"Buses stop in Agion Apostolon street."}}""",
            content["banner"]!.ToJsonString(Readable));
        // The second severe alert (E15's SIGNIFICANT_DELAYS) is a notice: one banner at a time.
        Assert.Equal(["Νέα κόμιστρα / New fares|Νέα κόμιστρα / New fares", "Winter timetable|Winter timetable", "E15 runs late|E15 runs late"],
            content["notices"]!.AsArray().Select(n => n!["el"]!.GetValue<string>() + "|" + n["en"]!.GetValue<string>()));

        // The node reads the published content with its notices and banner (the firmware's own parser).
        var publisher = Services.GetRequiredService<TimetablePublisher>();
        Assert.Equal(["bs-port-1"], await publisher.PublishAsync());
        var display = await Services.GetRequiredService<DisplayService>().GetAsync("bs-port-1");
        var parsed = new Firmware.Transit.DisplayContentParser().Parse(System.Text.Encoding.UTF8.GetBytes(display.Document.GetProperty("content").GetRawText()));
        Assert.Equal("Detour: roadworks", parsed.Banner!.Title.English);
        Assert.Equal(3, parsed.Notices.Length);

        // After 13:00Z the detour is over: E15's delay, the next severe alert, is the banner, and the realtime round
        // publishes the change.
        Clock.Now = SaturdayNoonUtc.AddSeconds(3601);
        Assert.Equal(RealtimeRefusal.None, alerts.Accept(Message(noon + 3595).Let(m => m.Entity.Add(message.Entity)).ToByteArray(), out _));
        var later = await PortContentAsync();
        Assert.Equal("E15 runs late", later["banner"]!["title"]!["en"]!.GetValue<string>());
        Assert.Equal(2, later["notices"]!.AsArray().Count);
        Assert.Equal(["bs-port-1"], await publisher.PublishRealtimeAsync());

        // Without alerts: no notices, no banner.
        Assert.Equal(RealtimeRefusal.None, alerts.Accept(Message(noon + 3600).ToByteArray(), out _));
        var none = await PortContentAsync();
        Assert.Empty(none["notices"]!.AsArray());
        Assert.Null(none["banner"]);
    }

    [Fact]
    public async Task An_added_trip_is_listed_live_at_the_stops_it_calls_at_but_not_where_it_ends()
    {
        await LinkRoute2Async();
        var noon = SaturdayNoonUtc.ToUnixTimeSeconds();
        var message = Message(noon - 10);
        FeedEntity Added(string id, string headsign, params (string Stop, long At)[] calls)
        {
            var update = new TripUpdate
            {
#pragma warning disable CS0612 // ADDED: deprecated in favour of NEW, still what feeds send; both are read
                Trip = new TripDescriptor { TripId = id, RouteId = "R2", StartDate = "20260328", ScheduleRelationship = TripDescriptor.Types.ScheduleRelationship.Added },
#pragma warning restore CS0612
            };
            if (headsign.Length > 0) update.TripProperties = new TripUpdate.Types.TripProperties { TripHeadsign = headsign };
            update.StopTimeUpdate.Add(calls.Select((c, i) => new TripUpdate.Types.StopTimeUpdate
            {
                StopSequence = (uint)(i + 1), StopId = c.Stop, Departure = new TripUpdate.Types.StopTimeEvent { Time = c.At },
            }));
            return new FeedEntity { Id = id, TripUpdate = update };
        }
        // X1 calls at the port at 12:20Z on its way to Plataria; X2 ends at the port (an arrival); X3 is NEW with no headsign.
        message.Entity.Add(Added("X1", "Πλαταριά έκτακτο", ("KTEL", noon + 600), ("IGO_PORT", noon + 1200), ("PLAT", noon + 2400)));
        message.Entity.Add(Added("X2", "Λιμάνι", ("KTEL", noon + 900), ("IGO_PORT", noon + 1500)));
        var x3 = Added("X3", "", ("IGO_PORT", noon + 1800), ("PLAT", noon + 3000));
        x3.TripUpdate.Trip.ScheduleRelationship = TripDescriptor.Types.ScheduleRelationship.New;
        message.Entity.Add(x3);
        Assert.Equal(RealtimeRefusal.None, RealtimeFeed.Accept(message.ToByteArray(), out _));

        var arrivals = (await PortContentAsync())["arrivals"]!.AsArray().Take(3)
            .Select(a => (a!["at"]!.GetValue<string>(), a["route"]!.GetValue<string>(), a["headsign"]!["en"]!.GetValue<string>(), a["realtime"]!.GetValue<bool>())).ToList();
        Assert.Equal([
                ("2026-03-28T12:20:00Z", "2", "Πλαταριά έκτακτο", true), // X1 (route R2's short name "2", its trip_headsign)
                ("2026-03-28T12:30:00Z", "2", "Πλαταριά", true),         // X3: headsign from its last stop's name
                ("2026-03-28T12:40:00Z", "2", "Πλαταριά", false),        // E14, scheduled (X2 ends at the port: not listed)
            ], arrivals);

        // A stale feed shows no added trip at all (an added trip has no schedule to fall back on).
        Clock.Advance(200);
        Assert.DoesNotContain((await PortContentAsync())["arrivals"]!.AsArray(), a => a!["realtime"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Live_content_is_published_again_before_the_sign_would_take_it_as_stale()
    {
        await LinkRoute2Async();
        var publisher = Services.GetRequiredService<TimetablePublisher>();
        Assert.Equal(["bs-port-1"], await publisher.PublishAsync());
        Assert.Equal(RealtimeRefusal.None, RealtimeFeed.Accept(ScenarioFeed(SaturdayNoonUtc.ToUnixTimeSeconds() - 10), out _));
        Assert.Equal(["bs-port-1"], await publisher.PublishRealtimeAsync());
        Clock.Advance(60);
        Assert.Equal(RealtimeRefusal.None, RealtimeFeed.Accept(ScenarioFeed(SaturdayNoonUtc.ToUnixTimeSeconds() + 50), out _));
        Assert.Empty(await publisher.PublishRealtimeAsync()); // unchanged, published a minute ago
        Clock.Advance(61);
        Assert.Equal(RealtimeRefusal.None, RealtimeFeed.Accept(ScenarioFeed(SaturdayNoonUtc.ToUnixTimeSeconds() + 111), out _));
        Assert.Equal(["bs-port-1"], await publisher.PublishRealtimeAsync()); // unchanged, but 121 s > Transit:Realtime:RefreshSeconds (120)
        var display = await Services.GetRequiredService<DisplayService>().GetAsync("bs-port-1");
        Assert.Equal("2026-03-28T12:02:01Z", display.Document.GetProperty("content").GetProperty("generatedAt").GetString());
    }
}

internal static class MessageExtensions
{
    public static T Let<T>(this T value, Action<T> change)
    {
        change(value);
        return value;
    }
}
