using System.IO;
using Edge.Firmware.Lighting;
using Edge.Firmware.Protocol;

namespace Edge.Firmware.Tests.Lighting;

public class LightingScheduleParserTests
{
    private const string OneProfile = """
        { "schema": 1, "profiles": [ { "id": "p", "points": [ { "at": "sunset", "level": 100 }, { "at": "sunrise", "level": 0 } ] } ] }
        """;

    [Fact]
    public void Reads_the_documented_example()
    {
        var schedule = LightingScheduleParser.Parse(File.ReadAllBytes(Repo.File("docs/examples/igoumenitsa-residential.json")));

        Assert.Equal(2, schedule.Profiles.Length);
        var residential = schedule.Profiles[0];
        Assert.Equal("residential", residential.Id);
        Assert.Equal(DimmingCurve.Linear, residential.Curve);
        Assert.Equal(10, residential.MinLevel);
        Assert.Equal(5, residential.Points.Length);
        Assert.Equal(SwitchTrigger.VirtualMidnight, residential.Points[1].Trigger);
        Assert.Equal(SwitchTrigger.FixedTime, residential.Points[2].Trigger);
        Assert.Equal(3600, residential.Points[2].TimeOfDay);
        Assert.Equal(-30 * 60, residential.Points[3].Offset);
        Assert.Equal(120, residential.Points[3].FadeSeconds); // inherited from the profile
        Assert.Equal(0, residential.Points[4].FadeSeconds);   // its own
        Assert.Equal(0, schedule.DefaultProfileIndex);
        Assert.Equal(2, schedule.Rules.Length);
        Assert.Equal(1, schedule.Rules[0].ProfileIndex);
        Assert.True(schedule.Rules[0].HasDateRange);
        Assert.False(schedule.Rules[0].Absolute);
        Assert.Equal(1 << 6, schedule.Rules[1].WeekdayMask);
    }

    [Fact]
    public void A_single_profile_needs_no_calendar()
    {
        var schedule = LightingScheduleParser.Parse(OneProfile);
        Assert.Equal(0, schedule.DefaultProfileIndex);
        Assert.Empty(schedule.Rules);
    }

    [Theory]
    [InlineData("""{ "schema": 1, "profiles": [ { "id": "p", "points": [ { "at": "sunset", "level": 140 } ] } ] }""",
        "profiles[0].points[0].level: 140 is out of range 0..100")]
    [InlineData("""{ "schema": 1, "profiles": [ { "id": "p", "points": [ { "at": "sunset", "level": -1 } ] } ] }""",
        "profiles[0].points[0].level: -1 is out of range 0..100")]
    [InlineData("""{ "schema": 1, "profiles": [ { "id": "p", "points": [ { "at": "dusk", "level": 50 } ] } ] }""",
        "profiles[0].points[0].at: unknown trigger \"dusk\"")]
    [InlineData("""{ "schema": 1, "profiles": [ { "id": "p", "points": [ { "level": 50 } ] } ] }""",
        "profiles[0].points[0].at: is required")]
    [InlineData("""{ "schema": 1, "profiles": [ { "id": "p", "points": [ { "at": "sunset" } ] } ] }""",
        "profiles[0].points[0].level: is required")]
    [InlineData("""{ "schema": 1, "profiles": [ { "id": "p", "points": [ { "at": "time", "level": 5 } ] } ] }""",
        "profiles[0].points[0].time: is required when \"at\" is \"time\"")]
    [InlineData("""{ "schema": 1, "profiles": [ { "id": "p", "points": [ { "at": "time", "time": "25:00", "level": 5 } ] } ] }""",
        "profiles[0].points[0].time: \"25:00\" is not a time of day")]
    [InlineData("""{ "schema": 1, "profiles": [ { "id": "p", "points": [ { "at": "time", "time": "01:00", "offsetMinutes": 5, "level": 5 } ] } ] }""",
        "profiles[0].points[0].offsetMinutes: applies only to sunset")]
    [InlineData("""{ "schema": 1, "profiles": [ { "id": "p", "points": [ { "at": "sunset", "offsetMinutes": 900, "level": 5 } ] } ] }""",
        "profiles[0].points[0].offsetMinutes: 900 is out of range -720..720")]
    [InlineData("""{ "schema": 1, "profiles": [ { "id": "p", "points": [ { "at": "sunset", "level": 5, "fade": 3 } ] } ] }""",
        "profiles[0].points[0].fade: unknown field")]
    [InlineData("""{ "schema": 1, "profiles": [ { "id": "p", "points": [] } ] }""",
        "profiles[0].points: at least one switch point is required: there is nothing to schedule")]
    [InlineData("""{ "schema": 1, "profiles": [] }""",
        "profiles: at least one profile is required")]
    [InlineData("""{ "schema": 1, "profiles": [ { "points": [ { "at": "sunset", "level": 5 } ] } ] }""",
        "profiles[0].id: is required")]
    [InlineData("""{ "profiles": [ { "id": "p", "points": [ { "at": "sunset", "level": 5 } ] } ] }""",
        "schema: is required")]
    [InlineData("""{ "schema": 2, "profiles": [ { "id": "p", "points": [ { "at": "sunset", "level": 5 } ] } ] }""",
        "schema: 2 is not supported")]
    [InlineData("""{ "schema": 1, "profiles": [ { "id": "p", "curve": "dali", "points": [ { "at": "sunset", "level": 5 } ] } ] }""",
        "profiles[0].curve: \"dali\" is not a curve")]
    [InlineData("""{ "schema": 1, "profiles": [ { "id": "p", "points": [ { "at": "sunset", "level": "high" } ] } ] }""",
        "profiles[0].points[0].level: expected a level in percent")]
    public void Rejects_a_malformed_profile_saying_what_and_where(string json, string expected)
    {
        var e = Assert.Throws<ScheduleFormatException>(() => LightingScheduleParser.Parse(json));
        Assert.Contains(e.Errors, m => m.StartsWith(expected, System.StringComparison.Ordinal));
    }

    private static string WithCalendar(string calendar) => """
        { "schema": 1, "profiles": [
            { "id": "a", "points": [ { "at": "sunset", "level": 100 } ] },
            { "id": "b", "points": [ { "at": "sunset", "level": 50 } ] } ],
          "calendar": 
        """ + calendar + "}";

    [Theory]
    [InlineData("""{ "rules": [] }""", "calendar.default: is required when there is more than one profile")]
    [InlineData("""{ "default": "zzz" }""", "calendar.default: no profile has id \"zzz\"")]
    [InlineData("""{ "default": "a", "rules": [ { "profile": "c", "priority": 1, "weekdays": ["sat"] } ] }""",
        "calendar.rules[0].profile: no profile has id \"c\"")]
    [InlineData("""{ "default": "a", "rules": [ { "profile": "b", "weekdays": ["sat"] } ] }""",
        "calendar.rules[0].priority: is required")]
    [InlineData("""{ "default": "a", "rules": [ { "profile": "b", "priority": 1, "weekdays": ["sat"] }, { "profile": "a", "priority": 1, "weekdays": ["sun"] } ] }""",
        "calendar.rules[1].priority: 1 is already used by calendar.rules[0]")]
    [InlineData("""{ "default": "a", "rules": [ { "profile": "b", "priority": 1, "weekdays": ["saturday"] } ] }""",
        "calendar.rules[0].weekdays[0]: \"saturday\" is not a weekday")]
    [InlineData("""{ "default": "a", "rules": [ { "profile": "b", "priority": 1, "weekdays": ["sat", "sat"] } ] }""",
        "calendar.rules[0].weekdays[1]: \"sat\" is listed twice")]
    [InlineData("""{ "default": "a", "rules": [ { "profile": "b", "priority": 1, "from": "08-10" } ] }""",
        "calendar.rules[0]: give both \"from\" and \"to\", or neither")]
    [InlineData("""{ "default": "a", "rules": [ { "profile": "b", "priority": 1, "from": "02-30", "to": "03-01" } ] }""",
        "calendar.rules[0].from: \"02-30\" is not a date")]
    [InlineData("""{ "default": "a", "rules": [ { "profile": "b", "priority": 1, "from": "2026-08-20", "to": "2026-08-10" } ] }""",
        "calendar.rules[0].to: is before \"from\"")]
    [InlineData("""{ "default": "a", "rules": [ { "profile": "b", "priority": 1, "from": "2026-08-10", "to": "08-20" } ] }""",
        "calendar.rules[0]: \"from\" and \"to\" must both be yearly")]
    [InlineData("""{ "default": "a", "rules": [ { "profile": "b", "priority": 1 } ] }""",
        "calendar.rules[0]: a rule needs \"from\"/\"to\" or \"weekdays\"")]
    public void Rejects_a_malformed_calendar_saying_what_and_where(string calendar, string expected)
    {
        var e = Assert.Throws<ScheduleFormatException>(() => LightingScheduleParser.Parse(WithCalendar(calendar)));
        Assert.Contains(e.Errors, m => m.StartsWith(expected, System.StringComparison.Ordinal));
    }

    [Fact]
    public void Reports_every_problem_at_once()
    {
        var json = """{ "schema": 1, "profiles": [ { "id": "p", "points": [ { "at": "noon", "level": 500 }, { "at": "sunset" } ] } ] }""";
        var e = Assert.Throws<ScheduleFormatException>(() => LightingScheduleParser.Parse(json));
        Assert.Equal(3, e.Errors.Length);
        Assert.Contains("3 problems", e.Message);
    }

    [Fact]
    public void Syntax_errors_carry_line_and_column()
    {
        var e = Assert.Throws<JsonFormatException>(() => LightingScheduleParser.Parse("{\n  \"schema\": 1,\n  \"profiles\": [ { \"id\": \"p\", } ]\n}"));
        Assert.Contains("line 3", e.Message);
    }

    [Fact]
    public void Rejects_more_points_than_fit_on_a_node()
    {
        var points = string.Join(",", System.Linq.Enumerable.Repeat("""{ "at": "sunset", "level": 1 }""", LightingSchedule.MaxPointsPerProfile + 1));
        var e = Assert.Throws<ScheduleFormatException>(() => LightingScheduleParser.Parse("""{ "schema": 1, "profiles": [ { "id": "p", "points": [ """ + points + "] } ] }"));
        Assert.Contains(e.Errors, m => m.Contains("at most 24 fit on a node"));
    }

    [Theory]
    [InlineData(2026, 8, 15, "b")]   // in the yearly festival range, a Saturday: range has the higher priority
    [InlineData(2026, 8, 22, "c")]   // a Saturday outside the range
    [InlineData(2026, 8, 24, "a")]   // a Monday: default
    [InlineData(2026, 12, 31, "b")]  // yearly range that wraps the new year
    [InlineData(2027, 1, 2, "b")]
    [InlineData(2027, 1, 7, "a")]
    public void Calendar_priority_picks_one_profile_per_night(int y, int m, int d, string expected)
    {
        var schedule = LightingScheduleParser.Parse("""
            { "schema": 1,
              "profiles": [ { "id": "a", "points": [ { "at": "sunset", "level": 100 } ] },
                            { "id": "b", "points": [ { "at": "sunset", "level": 80 } ] },
                            { "id": "c", "points": [ { "at": "sunset", "level": 60 } ] } ],
              "calendar": { "default": "a", "rules": [
                  { "profile": "c", "priority": 10, "weekdays": ["sat"] },
                  { "profile": "b", "priority": 20, "from": "08-10", "to": "08-20" },
                  { "profile": "b", "priority": 30, "from": "12-20", "to": "01-06" } ] } }
            """);
        Assert.Equal(expected, schedule.Profiles[schedule.ProfileIndexFor(y, m, d)].Id);
    }

    [Fact]
    public void Absolute_date_ranges_match_only_their_year()
    {
        var schedule = LightingScheduleParser.Parse("""
            { "schema": 1,
              "profiles": [ { "id": "a", "points": [ { "at": "sunset", "level": 100 } ] },
                            { "id": "event", "points": [ { "at": "sunset", "level": 80 } ] } ],
              "calendar": { "default": "a", "rules": [ { "profile": "event", "priority": 1, "from": "2026-09-04", "to": "2026-09-06" } ] } }
            """);
        Assert.Equal("event", schedule.Profiles[schedule.ProfileIndexFor(2026, 9, 5)].Id);
        Assert.Equal("a", schedule.Profiles[schedule.ProfileIndexFor(2027, 9, 5)].Id);
        Assert.Equal("a", schedule.Profiles[schedule.ProfileIndexFor(2026, 9, 7)].Id);
    }
}
