using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using Edge.Cloud.Transit.Gtfs;

namespace Edge.Cloud.Tests.Transit;

/// <summary>Reading and validating feeds as the GTFS reference defines them; every refused feed lists
/// its problems with file, line and field.</summary>
public sealed class GtfsReaderTests
{
    private static GtfsFeed Read(byte[] zip, GtfsLimits? limits = null)
    {
        using var stream = new MemoryStream(zip);
        using var archive = GtfsZip.Open(stream, limits ?? new GtfsLimits());
        return GtfsReader.Read(archive);
    }

    private static IReadOnlyList<GtfsProblem> Refused(byte[] zip, GtfsLimits? limits = null) =>
        Assert.Throws<GtfsFeedException>(() => Read(zip, limits)).Problems.List;

    [Fact]
    public void The_reference_sample_feed_reads_with_its_ragged_rows_and_single_digit_hours()
    {
        var feed = Read(File.ReadAllBytes(GtfsFiles.SampleFeedPath));
        Assert.Equal("America/Los_Angeles", feed.Timezone);
        Assert.Equal(9, feed.Stops.Count);
        Assert.Equal(5, feed.Routes.Count);
        Assert.Equal(11, feed.Trips.Count);
        Assert.Equal(28, feed.StopTimes.Count);
        // "AB2,12:15:00,12:15:00,BEATTY_AIRPORT,2" has 5 of the header's 9 fields.
        var ab2 = feed.StopTimes.Single(s => s.TripId == "AB2" && s.Sequence == 2);
        Assert.Equal(("BEATTY_AIRPORT", 12 * 3600 + 15 * 60), (ab2.StopId, ab2.Departure!.Value));
        Assert.Equal(6 * 3600 + 7 * 60, feed.StopTimes.Single(s => s.TripId == "CITY1" && s.Sequence == 2).Departure); // "6:07:00"
        Assert.Equal(0b1111111, feed.Calendars.Single(c => c.ServiceId == "FULLW").Days);
        Assert.Equal(0b1100000, feed.Calendars.Single(c => c.ServiceId == "WE").Days);
        Assert.Equal(new GtfsCalendarDate("FULLW", new DateOnly(2007, 6, 4), 2), feed.CalendarDates.Single());
        Assert.Equal(11, feed.Frequencies.Count);
        Assert.Equal(new GtfsFrequency("CITY1", 8 * 3600, 9 * 3600 + 59 * 60 + 59, 600), feed.Frequencies[3]);
    }

    [Theory]
    [InlineData("25:10:00", 25 * 3600 + 600)]
    [InlineData("6:00:00", 6 * 3600)]
    [InlineData("00:00:00", 0)]
    [InlineData("47:59:59", 47 * 3600 + 59 * 60 + 59)]
    public void Times_past_midnight_are_valid(string text, int seconds)
    {
        Assert.True(GtfsTime.TryParseTime(text, out var parsed));
        Assert.Equal(seconds, parsed);
    }

    [Theory]
    [InlineData("24:61:00")]
    [InlineData("12:00:60")]
    [InlineData("12:00")]
    [InlineData("1200:00")]
    [InlineData("ab:00:00")]
    [InlineData("-1:00:00")]
    public void Malformed_times_are_invalid(string text) => Assert.False(GtfsTime.TryParseTime(text, out _));

    [Fact]
    public void An_after_midnight_time_imports_and_an_invalid_minute_is_refused_with_file_line_and_field()
    {
        var late = Read(GtfsFiles.SampleWith(f => f["stop_times.txt"] = f["stop_times.txt"].Replace("AB2,12:05:00,12:05:00", "AB2,25:05:00,25:05:00").Replace("AB2,12:15:00,12:15:00", "AB2,25:15:00,25:15:00")));
        Assert.Equal(25 * 3600 + 300, late.StopTimes.Single(s => s.TripId == "AB2" && s.Sequence == 1).Departure);

        var problems = Refused(GtfsFiles.SampleWith(f => f["stop_times.txt"] = f["stop_times.txt"].Replace("AB1,8:10:00,8:15:00", "AB1,24:61:00,8:15:00")));
        var problem = Assert.Single(problems);
        // Line 15 of stop_times.txt: the header, then STBA (2 rows), CITY1 (5), CITY2 (5), AB1's first row, then this one.
        Assert.Equal(("stop_times.txt", 15, "arrival_time"), (problem.File, problem.Line, problem.Field));
        Assert.Contains("24:61:00", problem.Message);
    }

    [Fact]
    public void Every_problem_of_a_bad_feed_is_listed()
    {
        var problems = Refused(GtfsFiles.SampleWith(f =>
        {
            f["stop_times.txt"] += "\nNOTRIP,9:00:00,9:00:00,BULLFROG,1\nAB1,9:00:00,9:00:00,NOSTOP,3\n";
            f["stops.txt"] += "\nBULLFROG,Bullfrog again,,36.88108,-116.81797,,\n";
            f["trips.txt"] += "\nNOROUTE,FULLW,X1,x,0,,\nAB,NOSERVICE,X2,x,0,,\n";
            f["calendar_dates.txt"] += "\nFULLW,20070604,1\n";
            f["routes.txt"] = f["routes.txt"].Replace("CITY,DTA,40,City,,3,,,", "CITY,DTA,,,,3,,,");
            f.Remove("agency.txt");
        }));
        var found = problems.Select(p => (p.File, p.Line, p.Field)).ToHashSet();
        Assert.Contains(("agency.txt", 0, null), found);                    // required file missing
        Assert.Contains(("stop_times.txt", 30, "trip_id"), found);          // unknown trip
        Assert.Contains(("stop_times.txt", 31, "stop_id"), found);          // unknown stop
        Assert.Contains(("stops.txt", 11, "stop_id"), found);               // duplicate key
        Assert.Contains(("trips.txt", 13, "route_id"), found);              // unknown route
        Assert.Contains(("trips.txt", 14, "service_id"), found);            // unknown service
        Assert.Contains(("calendar_dates.txt", 3, "date"), found);          // duplicate (service_id, date)
        Assert.Contains(("routes.txt", 5, "route_short_name"), found);      // neither name
        Assert.Contains(("routes.txt", 2, "agency_id"), found);             // agency DTA unknown (agency.txt missing)
        Assert.Equal(problems.Count, found.Count);
    }

    [Fact]
    public void Missing_required_columns_and_values_are_named()
    {
        var problems = Refused(GtfsFiles.SampleWith(f =>
        {
            f["trips.txt"] = f["trips.txt"].Replace("route_id,service_id,trip_id", "route,service_id,trip_id");
            f["calendar.txt"] = f["calendar.txt"].Replace("WE,0,0,0,0,0,1,1,20070101,20101231", "WE,0,0,0,0,0,1,1,,20101231");
        }));
        Assert.Contains(problems, p => p is { File: "trips.txt", Line: 1, Field: "route_id" } && p.Message.Contains("missing"));
        Assert.Contains(problems, p => p is { File: "calendar.txt", Line: 3, Field: "start_date" });
    }

    [Fact]
    public void Broken_csv_quoting_is_reported_with_its_line()
    {
        var problems = Refused(GtfsFiles.SampleWith(f => f["stops.txt"] = f["stops.txt"].Replace("AMV,Amargosa Valley (Demo)", "AMV,Amargosa \"Valley (Demo)")));
        Assert.Contains(problems, p => p.File == "stops.txt" && p.Line == 10 && p.Message.Contains("quot"));
    }

    [Fact]
    public void Missing_calendar_files_and_a_bad_time_zone_are_refused()
    {
        var problems = Refused(GtfsFiles.SampleWith(f =>
        {
            f.Remove("calendar.txt");
            f.Remove("calendar_dates.txt");
            f["agency.txt"] = f["agency.txt"].Replace("America/Los_Angeles", "Europe/Igoumenitsa");
        }));
        Assert.Contains(problems, p => p is { File: "calendar.txt", Line: 0 } && p.Message.Contains("calendar_dates.txt"));
        Assert.Contains(problems, p => p is { File: "agency.txt", Line: 2, Field: "agency_timezone" });
    }

    [Fact]
    public void What_is_not_a_zip_is_refused()
    {
        var problems = Refused("<html><body>Not found</body></html>"u8.ToArray());
        Assert.Contains("not a zip", Assert.Single(problems).Message);
    }

    [Fact]
    public void A_zip_bomb_is_refused_before_it_is_inflated_past_the_limit()
    {
        using var buffer = new MemoryStream();
        using (var archive = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            using var entry = archive.CreateEntry("stop_times.txt", CompressionLevel.SmallestSize).Open();
            var zeros = new byte[1 << 20];
            for (var i = 0; i < 8; i++) entry.Write(zeros);
        }
        var zip = buffer.ToArray();
        Assert.True(zip.Length < 64 * 1024); // 8 MiB of zeros deflate to a few KiB
        var limits = new GtfsLimits { MaxUncompressedBytes = 1 << 20 };
        var problem = Assert.Single(Refused(zip, limits));
        Assert.Contains("uncompressed", problem.Message);
        Assert.Contains(Refused(zip, new GtfsLimits { MaxZipBytes = 1024 }), p => p.Message.Contains("at most 1024"));
        Assert.Contains(Refused(GtfsFiles.SampleWith(_ => { }), new GtfsLimits { MaxEntries = 3 }), p => p.Message.Contains("entries"));
    }
}
