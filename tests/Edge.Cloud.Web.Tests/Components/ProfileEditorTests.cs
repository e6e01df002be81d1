using System;
using System.Globalization;
using System.Linq;
using Bunit;
using Edge.Cli.Commands;
using Edge.Cloud.Web.Components.Shared;
using Edge.Cloud.Web.Technicians;
using Edge.Cloud.Web.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Edge.Cloud.Web.Tests.Components;

/// <summary>The profile editor's pieces: form points written into the JSON and judged by the firmware's parser, each
/// message matched to its field; the energy table's arithmetic.</summary>
public sealed class ProfileEditorTests : ComponentTest
{
    [Fact]
    public void Form_points_are_read_from_and_written_into_the_document()
    {
        var points = ProfileBoards.Points(ConsoleServer.ProfileDocument);
        Assert.Equal(new[] { "0.0 sunset 100", "0.1 virtualMidnight 50", "0.2 sunrise 0" }, points.Select(p => $"{p.Key} {p.At} {p.Level}"));
        points[1].Level = 35;
        points[2].At = "sunrise";
        var json = ProfileBoards.Apply(ConsoleServer.ProfileDocument, points);
        Assert.Empty(ProfileBoards.Validate(json));
        Assert.Equal(35, ProfileBoards.Points(json)[1].Level);
        Assert.Equal("residential", ProfileBoards.ProfileOf(json, points[1]));
    }

    [Fact]
    public void The_parsers_messages_land_at_their_fields_only()
    {
        var points = ProfileBoards.Points(ConsoleServer.ProfileDocument);
        points[1].Level = 150;
        points[0].At = "dusk";
        var errors = ProfileBoards.Validate(ProfileBoards.Apply(ConsoleServer.ProfileDocument, points));
        var level = Assert.Single(ProfileBoards.At(errors, ProfileBoards.PathOf(points[1], "level")));
        Assert.StartsWith("profiles[0].points[1].level:", level);
        Assert.StartsWith("profiles[0].points[0].at:", Assert.Single(ProfileBoards.At(errors, ProfileBoards.PathOf(points[0], "at"))));
        Assert.Empty(ProfileBoards.At(errors, ProfileBoards.PathOf(points[1], "at")));
        Assert.Empty(ProfileBoards.At(errors, ProfileBoards.PathOf(points[2], "level")));
    }

    [Fact]
    public void The_energy_table_multiplies_by_lamps_price_and_grid_factor_and_compares_with_full_power()
    {
        UseCulture("en");
        var preview = new NightPreview(new DateOnly(2026, 11, 26), "residential", null, null, null, null, Array.Empty<NightPreview.Row>(),
            NightWh: 250, NightFullWh: 500, YearKWh: 80, YearFullKWh: 160);
        var night = new NightView(preview, Array.Empty<(long, double?)>(), 0, 1, null, null, Array.Empty<long>());
        var table = Context.Render<EnergyTable>(p => p.Add(c => c.Night, night).Add(c => c.Count, 10)
            .Add(c => c.PricePerKWh, 0.2).Add(c => c.KgCo2PerKWh, 0.315).Add(c => c.Watts, 60));
        var rows = table.FindAll("tbody tr").Select(r => r.Children.Select(c => c.TextContent.Trim()).ToArray()).ToList();
        Assert.Equal(new[] { "Energy this night", "2.50 kWh", "5.00 kWh", "50%" }, rows[0]);
        Assert.Equal(new[] { "Energy in a year", "800 kWh", "1,600 kWh", "50%" }, rows[1]);
        Assert.Equal(new[] { "Cost in a year", "160 €", "320 €", "50%" }, rows[2]);
        Assert.Equal(new[] { "CO₂ in a year", "252 kg CO₂", "504 kg CO₂", "50%" }, rows[3]);
    }
}
