using Edge.Firmware.Transit;

namespace Edge.Firmware.Tests.Transit;

/// <summary>What the sign decides to show, tick by tick, with a fake clock (plain instants).</summary>
public class StopDisplayTests
{
    private static string MinutesText(StopDisplay d, int row) => new string(d.Minutes[row], 0, d.MinutesLength[row]);

    [Fact]
    public void Fresh_content_shows_live_arrivals_with_countdown_minutes()
    {
        StopDisplay d = TransitSamples.Display(800, 480, "live.json", "2026-11-26T12:30:00Z", withTimetable: true);
        Assert.True(d.Live);
        Assert.Equal(5, d.Capacity);
        Assert.Equal(5, d.RowCount);
        Assert.True(d.Due[0]);                      // 40 s away
        Assert.Equal("4", MinutesText(d, 1));       // 12:34:10 − 12:30:00 = 4 min 10 s
        Assert.True(d.RowAt(2).Cancelled);
        Assert.Equal("12*", MinutesText(d, 3));     // scheduled, not realtime
        Assert.True(d.AnyScheduled);
        Assert.Equal("14:30", new string(d.Clock)); // UTC+2
        Assert.Equal("Λιμάνι Ηγουμενίτσας", d.StopName!.Greek);
    }

    [Fact]
    public void Departed_arrivals_drop_off_after_the_grace_time()
    {
        StopDisplay d = TransitSamples.Display(800, 480, "live.json", "2026-11-26T12:31:10Z");
        Assert.Equal("1", d.RowAt(0).Route);        // 30 s after 12:30:40: still at the stop
        d.Update(TransitSamples.At("2026-11-26T12:31:11Z"));
        Assert.Equal("3", d.RowAt(0).Route);
    }

    [Fact]
    public void Stale_content_falls_back_to_the_timetable_marked_as_scheduled()
    {
        StopDisplay d = TransitSamples.Display(800, 480, "live.json", "2026-11-26T12:35:00Z", withTimetable: true);
        Assert.True(d.Live); // exactly 300 s old
        d.Update(TransitSamples.At("2026-11-26T12:35:01Z"));
        Assert.False(d.Live);
        Assert.Equal(5, d.RowCount);
        for (int i = 0; i < d.RowCount; i++) Assert.False(d.RowAt(i).Realtime);
        // Local 14:35:01: the 14:35 departure has left; next 15:05 (29 min), 15:20, 23:50, 24:30 = 00:30, 06:10.
        Assert.Equal("29*", MinutesText(d, 0));
        Assert.Equal("5", d.RowAt(0).Route);
        Assert.Equal("23:50*", MinutesText(d, 2));
        Assert.Equal("00:30*", MinutesText(d, 3));
        Assert.Equal("06:10*", MinutesText(d, 4));
        Assert.NotNull(d.Notice); // notices stay until validUntil
    }

    [Fact]
    public void Configured_staleness_is_honoured()
    {
        var d = new StopDisplay(new DisplaySettings(296, 128));
        d.Settings.StaleAfterSeconds = 60;
        d.SetContent(TransitSamples.Content("live.json"));
        d.Update(TransitSamples.At("2026-11-26T12:31:00Z"));
        Assert.True(d.Live);
        d.Update(TransitSamples.At("2026-11-26T12:31:01Z"));
        Assert.False(d.Live);
        Assert.Equal(0, d.RowCount); // no timetable stored
    }

    [Fact]
    public void Past_valid_until_nothing_of_the_document_is_shown_but_the_timetable_is()
    {
        StopDisplay d = TransitSamples.Display(800, 480, "banner.json", "2026-11-26T14:29:59Z", withTimetable: true);
        Assert.NotNull(d.Banner);
        d.Update(TransitSamples.At("2026-11-26T14:30:00Z"));
        Assert.Null(d.Banner);
        Assert.False(d.Live);
        Assert.Equal("Igoumenitsa Port", d.StopName!.English); // from the timetable
        Assert.Equal("16:30", new string(d.Clock));            // the timetable day's offset
    }

    [Fact]
    public void An_older_or_equal_version_is_ignored()
    {
        var d = new StopDisplay(new DisplaySettings(800, 480));
        Assert.True(d.SetContent(TransitSamples.Content("banner.json")));  // version 1043
        Assert.False(d.SetContent(TransitSamples.Content("live.json")));   // version 1042
        d.Update(TransitSamples.At("2026-11-26T12:30:00Z"));
        Assert.NotNull(d.Banner);
    }

    [Fact]
    public void A_banner_heads_the_large_panel_with_departures_and_alternates_with_them_on_the_compact_one()
    {
        StopDisplay large = TransitSamples.Display(800, 480, "banner-live.json", "2026-11-26T12:30:00Z");
        var compact = TransitSamples.Display(296, 128, "banner-live.json", "2026-11-26T12:30:00Z");
        var seen = new System.Collections.Generic.List<(bool, DisplayLanguage)>();
        for (int minute = 0; minute < 4; minute++)
        {
            long at = TransitSamples.At("2026-11-26T12:30:00Z") + minute * 60;
            large.Update(at);
            Assert.True(large.BannerShown);
            Assert.True(large.RowCount >= 3, "departures stay on the large panel under the banner");
            compact.Update(at);
            seen.Add((compact.BannerShown, compact.Language));
        }
        Assert.Equal(new[] { (true, DisplayLanguage.Greek), (true, DisplayLanguage.English), (false, DisplayLanguage.Greek), (false, DisplayLanguage.English) }, seen);
        compact.Update(TransitSamples.At("2026-11-26T12:32:00Z"));
        Assert.True(compact.RowCount > 0);
        Assert.NotNull(compact.Banner); // still up: its title is in the footer (golden banner-departures-296x128-*)
    }

    [Fact]
    public void Compact_panel_alternates_language_by_minute_large_panel_shows_both()
    {
        StopDisplay small = TransitSamples.Display(296, 128, "live.json", "2026-11-26T12:30:59Z");
        Assert.False(small.Bilingual);
        Assert.Equal(DisplayLanguage.Greek, small.Language);
        small.Update(TransitSamples.At("2026-11-26T12:31:00Z"));
        Assert.Equal(DisplayLanguage.English, small.Language);
        Assert.Equal(3, small.Capacity);
        Assert.True(TransitSamples.Display(800, 480, "live.json", "2026-11-26T12:30:00Z").Bilingual);
    }

    [Fact]
    public void Notices_rotate_on_the_configured_period()
    {
        var d = new StopDisplay(new DisplaySettings(800, 480));
        d.Settings.NoticeSeconds = 10;
        DisplayContent content = TransitSamples.Content("live.json");
        d.SetContent(content);
        long t = TransitSamples.At("2026-11-26T12:30:00Z"); // a multiple of 10 s and of 20 s
        d.Update(t);
        Assert.Same(content.Notices[0], d.Notice);
        d.Update(t + 10);
        Assert.Same(content.Notices[1], d.Notice);
        d.Update(t + 20);
        Assert.Same(content.Notices[0], d.Notice);
    }

    [Fact]
    public void Without_anything_received_the_clock_is_unknown_and_no_rows_show()
    {
        var d = new StopDisplay(new DisplaySettings(800, 480));
        d.Update(TransitSamples.At("2026-11-26T12:30:00Z"));
        Assert.False(d.ClockKnown);
        Assert.False(d.Live);
        Assert.Equal(0, d.RowCount);
    }
}
