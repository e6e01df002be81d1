using System;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using Bunit;
using Edge.Cloud.Web.Components.Shared;
using Edge.Cloud.Web.Localization;
using Edge.Cloud.Web.Public;
using Edge.Cloud.Web.Tests.Support;
using Edge.Firmware.Time;
using Microsoft.Extensions.DependencyInjection;

namespace Edge.Cloud.Web.Tests.Components;

/// <summary>The departure board and the gauge table as components (bUnit), with the real texts (.resx).</summary>
public sealed class DepartureBoardTests : ComponentTest
{
    private static StopBoard Board() =>
        StopBoard.FromContent(ConsoleServer.Stop, JsonDocument.Parse(ConsoleServer.StopContent().ToJsonString()).RootElement);

    private static SiteTime Time(long now) => new(PosixTimeZone.Parse("EET-2EEST,M3.5.0/3,M10.5.0/4"), now);

    private IRenderedComponent<DepartureBoard> Render(string culture, long now)
    {
        UseCulture(culture);
        return Context.Render<DepartureBoard>(p => p.Add(c => c.Board, Board()).Add(c => c.Time, Time(now)));
    }

    [Fact]
    public void Departures_show_site_time_countdown_scheduled_mark_and_cancellation()
    {
        var board = Render("en", ConsoleServer.T0 + 30);
        var rows = board.FindAll("table.departures tbody tr");
        Assert.Equal(4, rows.Count);
        // 5 min after 12:30 UTC, counted from 12:30:30: 4.5 min rounds up to 5 (the sign counts down the same way).
        Assert.Equal(new[] { "1", "Plataria Πλαταριά", "14:35", "5 min" }, rows[0].Children.Select(c => c.TextContent.Trim()));
        Assert.Equal("14:42*(scheduled)", rows[1].Children[2].TextContent.Trim());
        Assert.Contains("cancelled", rows[2].ClassName);
        Assert.Equal("Cancelled", rows[2].Children[3].TextContent.Trim());
        Assert.Contains("Free travel for people over 65.", board.Find("ul.notices").TextContent);
        Assert.Equal("Flood", board.Find("section.banner h2").TextContent);
    }

    [Fact]
    public void A_departure_that_is_due_says_now_in_Greek()
    {
        var board = Render("el", ConsoleServer.T0 + 300);
        var first = board.FindAll("table.departures tbody tr")[0];
        Assert.Equal("τώρα", first.Children[3].TextContent.Trim());
        Assert.Equal("Πλαταριά Plataria", first.Children[1].TextContent.Trim());
        Assert.Equal("en", first.Children[1].QuerySelector("span.other")!.GetAttribute("lang"));
    }

    [Fact]
    public void Markup_in_a_headsign_is_encoded()
    {
        var board = Render("en", ConsoleServer.T0);
        Assert.Contains("&lt;script&gt;alert", board.Markup);
        Assert.Empty(board.FindAll("script"));
    }

    [Fact]
    public void Gauges_show_state_in_words_level_and_trend()
    {
        UseCulture("el");
        var table = Context.Render<GaugeTable>(p => p
            .Add(c => c.Gauges, new[]
            {
                new GaugeReading("wl-1", "ladochori", 39.5, 20.2, "warning", 1234, 40, ConsoleServer.T0),
                new GaugeReading("wl-2", null, null, null, "unknown", null, null, null),
            })
            .Add(c => c.Time, Time(ConsoleServer.T0)));
        var rows = table.FindAll("tbody tr");
        Assert.Equal(new[] { "wl-1 · ladochori", "Προειδοποίηση", "1,23 m", "ανεβαίνει 40 mm/ώρα" }, rows[0].Children.Take(4).Select(c => c.TextContent.Trim()));
        Assert.StartsWith("26/11/2026 2:30", rows[0].Children[4].TextContent.Trim());
        Assert.Equal("καμία μέτρηση ακόμη", rows[1].Children[2].TextContent.Trim());
    }
}
