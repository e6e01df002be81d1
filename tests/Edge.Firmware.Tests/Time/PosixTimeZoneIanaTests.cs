using System;
using Edge.Firmware.Time;

namespace Edge.Firmware.Tests.Time;

/// <summary>
/// PosixTimeZone against the real IANA database, every hour (and the second before it) of many years,
/// in both directions, with the rules typed as a technician would and as read from the TZif footers.
/// </summary>
public class PosixTimeZoneIanaTests
{
    public static TheoryData<string, string, int, int> TypedRules => new()
    {
        { "Europe/Athens", "EET-2EEST,M3.5.0/3,M10.5.0/4", 2020, 2035 },
        { "America/New_York", "EST5EDT,M3.2.0,M11.1.0", 2020, 2035 },
        // DST with no rules takes the US default M3.2.0,M11.1.0, as glibc does.
        { "America/New_York", "EST5EDT", 2020, 2035 },
        { "Australia/Sydney", "AEST-10AEDT,M10.1.0,M4.1.0/3", 2020, 2035 },
        { "Pacific/Auckland", "NZST-12NZDT,M9.5.0,M4.1.0/3", 2020, 2035 },
        // Brazil abolished DST in 2019: a fixed negative offset from 2020 on.
        { "America/Sao_Paulo", "<-03>3", 2020, 2035 },
        { "Asia/Tokyo", "JST-9", 2020, 2035 },
        { "UTC", "UTC0", 2020, 2035 },
    };

    /// <summary>
    /// Zones and the year from which their TZif footer is in force (2025 unless the zone changed its rules
    /// after that). Checked up to 2037: Debian's "fat" TZif files list zic's own transitions up to there,
    /// so the reference is zic's computation, not .NET's reading of the footer (which, for 2038 on, gets
    /// "/24" and "/-1" change times wrong). Governments change their clocks at short notice and the test
    /// runs against whatever tzdata the machine has: when a zone's new rules come with explicit
    /// transitions before its footer takes over, its year moves here, with the release that said so.
    /// Not Africa/Casablanca: its footer is not in force (explicit Ramadan transitions to 2087).
    /// </summary>
    public static TheoryData<string, int> FooterZones => new()
    {
        { "Europe/Athens", 2025 }, { "America/New_York", 2025 }, { "Australia/Sydney", 2025 },
        { "Pacific/Auckland", 2025 }, { "America/Sao_Paulo", 2025 }, { "Asia/Tokyo", 2025 }, { "UTC", 2025 },
        { "Europe/Dublin", 2025 },        // IST-1GMT0,M10.5.0,M3.5.0/1: negative DST (winter is the "daylight" time)
        { "America/Santiago", 2025 },     // <-04>4<-03>,M9.1.6/24,M4.1.6/24: change time 24:00
        { "America/Nuuk", 2025 },         // <-02>2<-01>,M3.5.0/-1,M10.5.0/0: negative change time
        { "Australia/Lord_Howe", 2025 },  // <+1030>-10:30<+11>-11,M10.1.0,M4.1.0: 30-minute DST, minutes in offsets
        { "Asia/Tehran", 2025 },          // <+0330>-3:30
        { "America/St_Johns", 2025 },     // NST3:30NDT,M3.2.0,M11.1.0
        // CST5CDT,M3.2.0/0,M11.1.0/1, but tzdata 2026f: Cuba did not fall back on 2026-11-01 and keeps -04
        // until 2027-11-07 (explicit transitions), so the footer governs from 2028.
        { "America/Havana", 2028 },
        { "Pacific/Chatham", 2025 },      // <+1245>-12:45<+1345>,M9.5.0/2:45,M4.1.0/3:45
        { "Europe/London", 2025 }, { "Asia/Kolkata", 2025 }, { "America/Asuncion", 2025 },
    };

    [Fact]
    public void Greek_rule_in_the_issue_is_the_one_in_the_database()
    {
        Assert.Equal("EET-2EEST,M3.5.0/3,M10.5.0/4", IanaZone.Footer("Europe/Athens"));
    }

    [Theory]
    [MemberData(nameof(TypedRules))]
    public void Utc_to_local_matches_the_database_every_hour(string zoneId, string rule, int fromYear, int toYear)
    {
        AssertUtcToLocalMatches(IanaZone.Find(zoneId), PosixTimeZone.Parse(rule), fromYear, toYear, checkDaylightFlag: true);
    }

    [Theory]
    [MemberData(nameof(TypedRules))]
    public void Local_to_utc_matches_the_database_and_the_gap_and_overlap_policy(string zoneId, string rule, int fromYear, int toYear)
    {
        AssertLocalToUtcMatches(IanaZone.Find(zoneId), PosixTimeZone.Parse(rule), fromYear, toYear, crossCheckLocalApis: true);
    }

    [Theory]
    [MemberData(nameof(FooterZones))]
    public void Footer_rule_of_the_TZif_file_matches_the_database_both_ways(string zoneId, int inForceFrom)
    {
        string footer = IanaZone.Footer(zoneId);
        PosixTimeZone zone = PosixTimeZone.Parse(footer);
        TimeZoneInfo reference = IanaZone.Find(zoneId);
        // Offsets only, and local → UTC from the database's UTC → offset function alone: Dublin's TZif
        // marks winter as DST (negative DST), which TimeZoneInfo's DST flag and local-time methods do
        // not follow (its IsInvalidTime misses Dublin's March gap).
        AssertUtcToLocalMatches(reference, zone, inForceFrom, 2037, checkDaylightFlag: false);
        AssertLocalToUtcMatches(reference, zone, inForceFrom, 2037, crossCheckLocalApis: false);
    }

    [Theory]
    [MemberData(nameof(TypedRules))]
    public void Next_transition_finds_exactly_the_database_changes(string zoneId, string rule, int fromYear, int toYear)
    {
        TimeZoneInfo reference = IanaZone.Find(zoneId);
        PosixTimeZone zone = PosixTimeZone.Parse(rule);
        long from = IanaZone.Seconds(fromYear, 1, 1);
        long until = IanaZone.Seconds(toYear + 1, 1, 1);

        long t = from;
        int found = 0;
        while (true)
        {
            long next = zone.NextTransitionAfter(t);
            Assert.True(next > t);
            // No change in between, as the database sees it (hourly; changes fall on whole hours here).
            for (long h = t - t % 3600 + 3600; h < next && h < until; h += 3600)
            {
                Assert.True(IanaZone.OffsetAt(reference, h) == IanaZone.OffsetAt(reference, t),
                    $"{zoneId}: database changes at {IanaZone.Show(h)} UTC, before the next change we report after {IanaZone.Show(t)}: {(next == long.MaxValue ? "never" : IanaZone.Show(next))}");
            }
            if (next >= until)
            {
                break;
            }
            Assert.NotEqual(IanaZone.OffsetAt(reference, next - 1), IanaZone.OffsetAt(reference, next));
            found++;
            t = next;
        }
        int expected = zone.HasDaylightSaving ? 2 * (toYear - fromYear + 1) : 0;
        Assert.Equal(expected, found);
    }

    private static void AssertUtcToLocalMatches(TimeZoneInfo reference, PosixTimeZone zone, int fromYear, int toYear, bool checkDaylightFlag)
    {
        long from = IanaZone.Seconds(fromYear, 1, 1);
        long until = IanaZone.Seconds(toYear + 1, 1, 1);
        int changes = 0;
        // Every quarter hour and the second before it: the change instants of these zones are whole
        // quarter hours (Chatham's are at :45 local), so both sides of every change are checked.
        for (long hour = from; hour < until; hour += 900)
        {
            for (long t = hour - 1; t <= hour; t++)
            {
                int expected = IanaZone.OffsetAt(reference, t);
                int actual = zone.OffsetAt(t);
                if (actual != expected || zone.ToLocal(t) != t + expected)
                {
                    Assert.Fail($"{reference.Id} with \"{zone.Rule}\" at {IanaZone.Show(t)} UTC: offset {actual} s, database says {expected} s");
                }
                if (checkDaylightFlag)
                {
                    bool expectedDaylight = reference.IsDaylightSavingTime(DateTimeOffset.FromUnixTimeSeconds(t));
                    if (zone.IsDaylightAt(t) != expectedDaylight)
                    {
                        Assert.Fail($"{reference.Id} with \"{zone.Rule}\" at {IanaZone.Show(t)} UTC: daylight {zone.IsDaylightAt(t)}, database says {expectedDaylight}");
                    }
                }
            }
            if (zone.OffsetAt(hour - 1) != zone.OffsetAt(hour))
            {
                changes++;
            }
        }
        // Guard against a vacuous pass: zones with DST really changed twice a year.
        Assert.Equal(zone.HasDaylightSaving ? 2 * (toYear - fromYear + 1) : 0, changes);
    }

    private static void AssertLocalToUtcMatches(TimeZoneInfo reference, PosixTimeZone zone, int fromYear, int toYear, bool crossCheckLocalApis)
    {
        long from = IanaZone.Seconds(fromYear, 1, 1);
        long until = IanaZone.Seconds(toYear + 1, 1, 1);
        int skipped = 0, repeated = 0;
        // Every quarter hour of wall-clock time (Lord Howe changes by 30 minutes, Chatham at :45);
        // every half hour where TimeZoneInfo's (slow) local-time methods are cross-checked too.
        long step = crossCheckLocalApis ? 1800 : 900;
        for (long local = from; local < until; local += step)
        {
            long expected = ExpectedUtc(reference, local, crossCheckLocalApis, out bool isSkipped, out bool isRepeated);
            if (isSkipped)
            {
                skipped++;
            }
            if (isRepeated)
            {
                repeated++;
            }
            long actual = zone.ToUtc(local);
            if (actual != expected)
            {
                Assert.Fail($"{reference.Id} with \"{zone.Rule}\": local {IanaZone.Show(local)} → {IanaZone.Show(actual)} UTC, expected {IanaZone.Show(expected)} UTC");
            }
        }
        if (zone.HasDaylightSaving)
        {
            Assert.True(skipped > 0 && repeated > 0, $"{reference.Id}: no skipped or repeated wall-clock times seen");
        }
    }

    /// <summary>
    /// The policy applied to the database's own UTC → offset function: a wall-clock time L occurs at
    /// each UTC instant u = L − o where the database gives offset o at u (o ranging over the offsets in
    /// force two days either side). Twice: the first. Never (skipped): read with the earlier offset.
    /// (TimeZoneInfo's own local-time methods mishandle negative DST such as Dublin's, so they are
    /// only cross-checked where DST is the ordinary kind.)
    /// </summary>
    private static long ExpectedUtc(TimeZoneInfo reference, long local, bool crossCheckLocalApis, out bool skipped, out bool repeated)
    {
        int earlier = IanaZone.OffsetAt(reference, local - 2 * 86400);
        int later = IanaZone.OffsetAt(reference, local + 2 * 86400);
        bool earlierFits = IanaZone.OffsetAt(reference, local - earlier) == earlier;
        bool laterFits = IanaZone.OffsetAt(reference, local - later) == later;
        skipped = !earlierFits && !laterFits;
        repeated = earlierFits && laterFits && earlier != later;

        if (crossCheckLocalApis)
        {
            DateTime wallClock = IanaZone.WallClock(local);
            Assert.True(skipped == reference.IsInvalidTime(wallClock), $"{reference.Id}: local {IanaZone.Show(local)} skipped: {skipped}, TimeZoneInfo.IsInvalidTime disagrees");
            Assert.True(repeated == reference.IsAmbiguousTime(wallClock), $"{reference.Id}: local {IanaZone.Show(local)} repeated: {repeated}, TimeZoneInfo.IsAmbiguousTime disagrees");
        }
        if (skipped)
        {
            return local - earlier;
        }
        if (earlierFits && laterFits)
        {
            return Math.Min(local - earlier, local - later);
        }
        return earlierFits ? local - earlier : local - later;
    }
}
