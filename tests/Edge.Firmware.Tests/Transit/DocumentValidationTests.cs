using System.Linq;
using System.Text;
using Edge.Firmware.Protocol;
using Edge.Firmware.Transit;

namespace Edge.Firmware.Tests.Transit;

/// <summary>Every invalid field of a display or timetable document is rejected with its JSON path.</summary>
public class DocumentValidationTests
{
    private const string Arrival = "{\"route\":\"1\",\"headsign\":{\"el\":\"Πλαταριά\",\"en\":\"Plataria\"},\"at\":\"2026-11-26T12:35:00Z\",\"realtime\":true}";

    private static string Content(string arrivals = "[" + Arrival + "]", string extra = "") =>
        "{\"schema\":1,\"version\":5,\"generatedAt\":\"2026-11-26T12:30:00Z\",\"validUntil\":\"2026-11-26T14:45:00+02:00\"," +
        "\"utcOffset\":\"+02:00\",\"stop\":{\"name\":{\"el\":\"Λιμάνι\",\"en\":\"Port\"}},\"arrivals\":" + arrivals + extra + "}";

    private static DisplayContent ParseContent(string json) => new DisplayContentParser().Parse(Encoding.UTF8.GetBytes(json));

    [Fact]
    public void A_valid_minimal_document_parses()
    {
        DisplayContent c = ParseContent(Content());
        Assert.Equal(5, c.Version);
        Assert.Equal(TransitSamples.At("2026-11-26T12:45:00Z"), c.ValidUntil); // +02:00 honoured
        Assert.Equal(7200, c.UtcOffsetSeconds);
        Assert.Single(c.Arrivals);
        Assert.False(c.Arrivals[0].Cancelled);
        Assert.Empty(c.Notices);
        Assert.Null(c.Banner);
        Assert.Null(ParseContent(Content(extra: ",\"banner\":null")).Banner);
    }

    [Theory]
    [InlineData("\"schema\":1,", "\"schema\":2,", "schema: version 2 is not supported")]
    [InlineData("\"version\":5,", "", "version: is required")]
    [InlineData("\"version\":5,", "\"version\":-1,", "version: -1 is out of range")]
    [InlineData("\"version\":5,", "\"version\":5.5,", "version: expected a whole number")]
    [InlineData("\"generatedAt\":\"2026-11-26T12:30:00Z\"", "\"generatedAt\":\"2026-11-26 12:30\"", "generatedAt: \"2026-11-26 12:30\" is not a date and time")]
    [InlineData("\"generatedAt\":\"2026-11-26T12:30:00Z\"", "\"generatedAt\":\"2026-02-30T12:30:00Z\"", "generatedAt:")]
    [InlineData("\"validUntil\":\"2026-11-26T14:45:00+02:00\"", "\"validUntil\":\"2026-11-26T12:00:00Z\"", "validUntil: must be later than generatedAt")]
    [InlineData("\"utcOffset\":\"+02:00\"", "\"utcOffset\":\"2\"", "utcOffset: \"2\" is not a UTC offset")]
    [InlineData("\"en\":\"Port\"", "\"en\":\"\"", "stop.name.en: must not be empty")]
    [InlineData(",\"en\":\"Port\"", "", "stop.name.en: is required")]
    [InlineData("\"stop\":{", "\"stop\":{\"colour\":1,", "stop: unknown property \"colour\"")]
    [InlineData("\"route\":\"1\"", "\"route\":\"1234567\"", "arrivals[0].route: is 7 characters long; at most 6")]
    [InlineData("\"route\":\"1\"", "\"route\":1", "arrivals[0].route: expected a string, found a number")]
    [InlineData("\"realtime\":true", "\"realtime\":\"yes\"", "arrivals[0].realtime: expected true or false")]
    [InlineData(",\"realtime\":true", "", "arrivals[0].realtime: is required")]
    [InlineData("\"el\":\"Πλαταριά\"", "\"el\":\"Πλατα\\nριά\"", "arrivals[0].headsign.el: contains a control character")]
    [InlineData("\"at\":\"2026-11-26T12:35:00Z\"", "\"at\":\"2026-11-26T25:35:00Z\"", "arrivals[0].at:")]
    [InlineData("\"schema\":1,", "\"schema\":1,\"schema\":1,", "schema: appears twice")]
    [InlineData("\"schema\":1,", "\"scheme\":1,", "(document): unknown property \"scheme\"")]
    public void Invalid_content_is_rejected_with_its_path(string find, string replace, string expected)
    {
        string json = Content();
        Assert.Contains(find, json);
        var e = Assert.Throws<JsonFormatException>(() => ParseContent(json.Replace(find, replace)));
        Assert.StartsWith(expected, e.Message);
    }

    [Fact]
    public void Arrivals_out_of_order_are_rejected()
    {
        string later = Arrival.Replace("12:35", "12:50");
        var e = Assert.Throws<JsonFormatException>(() => ParseContent(Content("[" + later + "," + Arrival + "]")));
        Assert.StartsWith("arrivals[1].at: arrivals must be in time order", e.Message);
    }

    [Fact]
    public void Too_many_arrivals_and_bad_notices_and_banners_are_rejected()
    {
        var many = new StringBuilder("[");
        for (int i = 0; i <= DisplayContent.MaxArrivals; i++) many.Append(i == 0 ? "" : ",").Append(Arrival);
        Assert.StartsWith("arrivals: more than 16 arrivals", Assert.Throws<JsonFormatException>(() => ParseContent(Content(many + "]"))).Message);

        Assert.StartsWith("notices[1].en: is required",
            Assert.Throws<JsonFormatException>(() => ParseContent(Content(extra: ",\"notices\":[{\"el\":\"α\",\"en\":\"a\"},{\"el\":\"β\"}]"))).Message);
        Assert.StartsWith("notices[0]: expected an object",
            Assert.Throws<JsonFormatException>(() => ParseContent(Content(extra: ",\"notices\":[\"text\"]"))).Message);
        Assert.StartsWith("banner.text: is required",
            Assert.Throws<JsonFormatException>(() => ParseContent(Content(extra: ",\"banner\":{\"title\":{\"el\":\"α\",\"en\":\"a\"}}"))).Message);
        Assert.StartsWith("banner: expected an object or null",
            Assert.Throws<JsonFormatException>(() => ParseContent(Content(extra: ",\"banner\":true"))).Message);
    }

    [Fact]
    public void Broken_json_reports_line_and_column()
    {
        var e = Assert.Throws<JsonFormatException>(() => ParseContent("{\"schema\":1,\n\"version\" 5}"));
        Assert.Contains("line 2", e.Message);
    }

    // ---- timetable ----

    private const string Departure = "{\"route\":\"1\",\"headsign\":{\"el\":\"Πλαταριά\",\"en\":\"Plataria\"},\"time\":\"14:35\"}";

    private static string TimetableJson(string days = "[{\"date\":\"2026-11-26\",\"utcOffset\":\"+02:00\",\"departures\":[" + Departure + "]}]") =>
        "{\"schema\":1,\"version\":3,\"stop\":{\"name\":{\"el\":\"Λιμάνι\",\"en\":\"Port\"}},\"days\":" + days + "}";

    private static Timetable ParseTimetable(string json) => new TimetableParser().Parse(Encoding.UTF8.GetBytes(json));

    [Fact]
    public void Departures_of_one_route_and_headsign_share_their_texts_across_both_days()
    {
        Timetable t = new TimetableParser().Parse(TransitSamples.Bytes("timetable.json"));
        var plataria = t.Departures.Where(d => d.Headsign.English == "Plataria").ToArray();
        Assert.True(plataria.Length >= 3);
        Assert.All(plataria, d => Assert.Same(plataria[0].Headsign, d.Headsign));
        Assert.All(plataria, d => Assert.Same(plataria[0].Route, d.Route));
        Assert.Equal("Πλαταριά", plataria[0].Headsign.Greek);
        Assert.NotSame(plataria[0].Headsign, t.Departures.First(d => d.Headsign.English == "Ladochori").Headsign);
    }

    [Fact]
    public void Timetable_times_are_local_service_day_times()
    {
        Timetable t = ParseTimetable(TimetableJson());
        Assert.Equal(TransitSamples.At("2026-11-26T12:35:00Z"), t.Departures[0].At);
        Assert.False(t.Departures[0].Realtime);
        // GTFS-style 24:30 is half past midnight at the end of the service day.
        Timetable late = ParseTimetable(TimetableJson().Replace("14:35", "24:30"));
        Assert.Equal(TransitSamples.At("2026-11-26T22:30:00Z"), late.Departures[0].At);
    }

    [Theory]
    [InlineData("\"time\":\"14:35\"", "\"time\":\"14.35\"", "days[0].departures[0].time: \"14.35\" is not a local time")]
    [InlineData("\"time\":\"14:35\"", "\"time\":\"48:00\"", "days[0].departures[0].time:")]
    [InlineData("\"date\":\"2026-11-26\"", "\"date\":\"26/11/2026\"", "days[0].date: \"26/11/2026\" is not a date")]
    [InlineData(",\"utcOffset\":\"+02:00\"", "", "days[0].utcOffset: is required")]
    [InlineData("\"route\":\"1\",", "", "days[0].departures[0].route: is required")]
    [InlineData("\"version\":3,", "", "version: is required")]
    [InlineData("\"days\":", "\"dayz\":", "(document): unknown property \"dayz\"")]
    public void Invalid_timetables_are_rejected_with_their_path(string find, string replace, string expected)
    {
        string json = TimetableJson();
        Assert.Contains(find, json);
        var e = Assert.Throws<JsonFormatException>(() => ParseTimetable(json.Replace(find, replace)));
        Assert.StartsWith(expected, e.Message);
    }

    [Fact]
    public void Timetable_days_must_be_consecutive_and_at_most_two()
    {
        string day = "{\"date\":\"2026-11-26\",\"utcOffset\":\"+02:00\",\"departures\":[]}";
        string skipped = day.Replace("26\"", "28\"");
        Assert.StartsWith("days[1].date: must be the day after days[0].date",
            Assert.Throws<JsonFormatException>(() => ParseTimetable(TimetableJson("[" + day + "," + skipped + "]"))).Message);
        string next = day.Replace("26\"", "27\"");
        string third = day.Replace("26\"", "28\"");
        Assert.StartsWith("days: more than 2 days",
            Assert.Throws<JsonFormatException>(() => ParseTimetable(TimetableJson("[" + day + "," + next + "," + third + "]"))).Message);
    }
}
