using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading.Tasks;
using Edge.Firmware.Host.Hardware;
using Edge.Sim.Demo;
using Xunit.Abstractions;

namespace Edge.EndToEnd.Tests;

/// <summary>
/// The demo composition with node clocks at 2400× real time (40 minutes a second) through the whole night of 16 to 17
/// December 2026: the street lights must switch on at sunset, go to 30 % at 01:00 local time and off at sunrise
/// (docs/examples/igoumenitsa-residential.json), by their own clocks. Before the gateway told a birth from a heartbeat
/// and accelerated clocks kept their own time, every node clock stepped back to the present at each hourly heartbeat
/// (1.5 s of wall time here), so the night never came to an end.
///
/// Each switch is bracketed by the node times of the lamp's duty change and of the control tick before it
/// (<see cref="VirtualLamp.Changes"/>), so the check does not depend on how fast or evenly this machine ticks; the reference
/// instants are PyEphem's (reference/night_reference.py), not the repository's sun clock.
/// </summary>
public sealed class NightTests(ITestOutputHelper output) : OwnSiteTest("night")
{
    // reference/night_reference.py: sun's centre at zenith 90.833° (docs/sun-clock.md), PyEphem 4.1.4.
    static readonly (string Node, double Lat, double Lon, string Sunset, string Sunrise)[] Lights =
    [
        ("sl-port-01", 39.5035, 20.2655, "2026-12-16T15:16:17.643Z", "2026-12-17T05:53:19.308Z"),
        ("sl-plat-01", 39.4546, 20.2719, "2026-12-16T15:16:24.915Z", "2026-12-17T05:53:08.949Z"),
    ];

    /// <summary>The sun clock's measured error at this latitude is at most 5 s (docs/sun-clock.md); node times are whole seconds.</summary>
    const double ToleranceS = 6;

    static readonly DateTimeOffset ClockStart = At("2026-12-16T13:00:00Z");   // a Wednesday: the residential profile
    static readonly DateTimeOffset OneAm = At("2026-12-16T23:00:00Z");        // 01:00 EET, the profile's 30 % point
    static readonly DateTimeOffset Until = At("2026-12-17T06:10:00Z");


    [Fact]
    public async Task At_40_minutes_a_second_the_lights_switch_at_sunset_01_00_and_sunrise_by_the_sun()
    {
        var fleet = IgoumenitsaFleet.Create();
        fleet.Nodes.RemoveAll(n => !Lights.Any(l => l.Node == n.Id));
        for (int i = 0; i < fleet.Nodes.Count; i++)
        {
            var light = Lights.Single(l => l.Node == fleet.Nodes[i].Id);
            fleet.Nodes[i] = fleet.Nodes[i] with { Lat = light.Lat, Lon = light.Lon }; // the reference points
        }
        var site = await StartSiteAsync(fleet, o => { o.Speed = 2400; o.ClockStart = ClockStart; o.TickInterval = TimeSpan.FromMilliseconds(20); });
        try
        {
            var clocks = Lights.Select(l => site.Nodes[l.Node].Clock).ToList();
            await SiteFixture.WaitForAsync("every node clock past sunrise", () =>
            {
                var behind = clocks.Min(c => c.UtcSeconds);
                return Task.FromResult((behind >= Until.ToUnixTimeSeconds(), true, "slowest node clock at " + DateTimeOffset.FromUnixTimeSeconds(behind).ToString("u", CultureInfo.InvariantCulture)));
            }, TimeSpan.FromMilliseconds(200));
        }
        finally
        {
            await site.DisposeAsync();
        }

        foreach (var light in Lights)
        {
            var changes = site.Nodes[light.Node].Lamp!.Changes();
            output.WriteLine(light.Node + ": " + string.Join(", ", changes.Select(c => $"{Time(c.AtUtc)} {c.Duty:0.00}")));
            var sunset = At(light.Sunset);
            var sunrise = At(light.Sunrise);

            // A node that rebooted on the way (a stalled host) would have switched for other reasons: say so first.
            Assert.True(site.Nodes[light.Node].Boots == 1, light.Node + " rebooted during the night (" + site.Nodes[light.Node].Boots + " boots)");
            // On at sunset: the switch from dark to light nearest to it.
            var on = Transitions(changes).Where(t => t.From == 0 && t.To.Duty > 0).MinBy(t => Math.Abs(t.To.AtUtc - sunset.ToUnixTimeSeconds())).To;
            AssertBracket(light.Node + " on at sunset", sunset, on);
            // 30 % from 01:00 local time: the first dimming after the virtual-midnight step has settled — seen by a tick
            // that began after it (a host that stalls past the step would otherwise show the step itself late).
            var dim = Transitions(changes).First(t => t.To.AfterUtc > OneAm.AddMinutes(-15).ToUnixTimeSeconds() && t.To.Duty < t.From).To;
            AssertBracket(light.Node + " dimming at 01:00 EET", OneAm, dim);
            // Off at sunrise: the first switch to dark after that.
            var off = Transitions(changes).First(t => t.From > 0 && t.To.Duty == 0 && t.To.AtUtc > OneAm.ToUnixTimeSeconds()).To;
            AssertBracket(light.Node + " off at sunrise", sunrise, off);
        }
    }

    /// <summary>The change happened after the tick before it and by its own tick; the reference instant must lie in between.</summary>
    void AssertBracket(string what, DateTimeOffset reference, DutyChange change)
    {
        double r = reference.ToUnixTimeMilliseconds() / 1000.0;
        output.WriteLine($"{what}: between {Time(change.AfterUtc)} and {Time(change.AtUtc)}, reference {reference:HH:mm:ss.fff}");
        Assert.True(r >= change.AfterUtc - ToleranceS && r <= change.AtUtc + ToleranceS,
            $"{what}: the lamp changed between {Time(change.AfterUtc)} and {Time(change.AtUtc)} (node time), the reference is {reference:u}");
    }

    static IEnumerable<(float From, DutyChange To)> Transitions(IReadOnlyList<DutyChange> changes)
    {
        for (int i = 1; i < changes.Count; i++) yield return (changes[i - 1].Duty, changes[i]);
    }

    static string Time(long utc) => DateTimeOffset.FromUnixTimeSeconds(utc).ToString("MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    static DateTimeOffset At(string iso) => DateTimeOffset.Parse(iso, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
}
