using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Edge.Cloud.Storage;
using Edge.Cloud.Tests.Support;

namespace Edge.Cloud.Tests.Storage;

/// <summary>
/// The energy report's day sums (<see cref="EnergyDays"/>) against the readings summed whole in the test: October 2026
/// in Igoumenitsa (Europe/Athens), whose 25th is 25 hours long (summer time ends), with counter resets, two readings at
/// one instant, readings exactly at midnight, days without readings, lamps with one reading and readings just outside
/// the month. October is long past, so every day of it is kept and every reading stored for it now is late.
/// </summary>
public abstract partial class StorageSuite
{
    private static readonly TimeZoneInfo Athens = TimeZoneInfo.FindSystemTimeZoneById("Europe/Athens");
    private long _energySeq = 100_000;

    /// <summary>The local midnights of a month in Athens, as the report asks for them.</summary>
    private static List<long> OctoberDays()
    {
        var days = new List<long>();
        for (var day = new DateTime(2026, 10, 1); day <= new DateTime(2026, 11, 1); day = day.AddDays(1))
            days.Add(new DateTimeOffset(day, Athens.GetUtcOffset(day)).ToUnixTimeSeconds());
        return days;
    }

    private sealed record Reading(string Node, long Ts, long Wh);

    /// <summary>What the report must say, from the readings themselves: per lamp, its readings in the window ordered by
    /// time then value, the rises summed and the falls counted.</summary>
    private static Dictionary<string, CounterSteps> Expected(IEnumerable<Reading> readings, long from, long to) =>
        readings.Where(r => r.Ts >= from && r.Ts < to).GroupBy(r => r.Node).ToDictionary(g => g.Key, g =>
        {
            var ordered = g.OrderBy(r => r.Ts).ThenBy(r => r.Wh).ToList();
            var steps = ordered.Zip(ordered.Skip(1), (a, b) => b.Wh - a.Wh).ToList();
            return new CounterSteps(ordered.Count, ordered[0].Ts, ordered[^1].Ts, steps.Where(s => s > 0).Sum(), steps.Count(s => s < 0));
        });

    private async Task StoreReadingsAsync(IEnumerable<Reading> readings)
    {
        foreach (var batch in readings.Chunk(500))
        {
            await Store.StoreAsync(batch.Select(r =>
            {
                var record = Records.Streetlight(++_energySeq, r.Node, r.Ts, 50);
                record["payload"]!["energyWh"] = r.Wh;
                return Valid(record);
            }).ToArray());
        }
    }

    /// <summary>Twelve lamps' October, seeded: readings every 20 minutes to 9 hours, a lamp silent for days, resets,
    /// duplicated instants, readings on midnight and just outside the month.</summary>
    private static List<Reading> October(int seed)
    {
        var random = new Random(seed);
        var days = OctoberDays();
        var readings = new List<Reading>();
        for (var lamp = 0; lamp < 12; lamp++)
        {
            var node = $"sl-e{lamp:D3}";
            var wh = random.Next(0, 100_000);
            for (var ts = days[0] - 3 * 3600 + random.Next(0, 3600); ts < days[^1] + 5 * 3600; ts += random.Next(1200, 9 * 3600))
            {
                if (lamp == 3 && ts > days[9] && ts < days[14]) continue; // five days without a reading
                wh = random.NextDouble() < 0.03 ? random.Next(0, 50) : wh + random.Next(0, 90); // a reset now and then
                readings.Add(new Reading(node, ts, wh));
                if (random.NextDouble() < 0.03) readings.Add(new Reading(node, ts, wh + random.Next(1, 5))); // one instant, two values
            }
            readings.Add(new Reading(node, days[random.Next(1, days.Count - 1)], wh + 1000)); // on a midnight
        }
        readings.Add(new Reading("sl-e100", days[20] + 3600, 5000)); // one reading only
        return readings;
    }

    [Fact]
    public async Task Energy_day_sums_chained_over_a_month_with_a_DST_day_equal_the_readings_summed_whole()
    {
        var days = OctoberDays();
        Assert.Equal(25 * 3600, days[25] - days[24]); // the 25th: summer time ends, the day has 25 hours
        var readings = October(seed: 1);
        await StoreReadingsAsync(readings);
        // Not counted: a water level reading, and a street light's reading without a counter.
        var noCounter = Records.Streetlight(++_energySeq, "sl-e000", days[3] + 60, 50);
        noCounter["payload"]!.AsObject().Remove("energyWh");
        await Store.StoreAsync([Valid(Records.Water(++_energySeq, "wl-e001", days[3] + 60, 700, "normal")), Valid(noCounter)]);
        var energy = new EnergyDays(Connections, TimeProvider.System);
        var expected = Expected(readings, days[0], days[^1]);

        Assert.Equal(expected, await energy.StepsAsync(days));
        Assert.Equal(31, await CountAsync("SELECT COUNT(*) FROM energy_day_spans"));
        Assert.True(expected.Values.Sum(s => s.Drops) > 3, "the data has resets");

        // Kept: the second report reads the sums, not the readings (gone now), and says the same.
        await using (var connection = await Connections.OpenAsync())
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = "DELETE FROM telemetry";
            await command.ExecuteNonQueryAsync();
        }
        Assert.Equal(expected, await energy.StepsAsync(days));
        // A window of other bounds (a week) is summed from its own days: the kept October days that fall in it, chained.
        Assert.Equal(Expected(readings, days[21], days[28]), await energy.StepsAsync(days.Skip(21).Take(8).ToList()));
    }

    [Fact]
    public async Task A_late_reading_drops_the_kept_day_it_falls_in_and_the_next_report_counts_it()
    {
        var days = OctoberDays();
        var readings = October(seed: 2);
        await StoreReadingsAsync(readings);
        var energy = new EnergyDays(Connections, TimeProvider.System);
        await energy.StepsAsync(days);
        Assert.Equal(31, await CountAsync("SELECT COUNT(*) FROM energy_day_spans"));
        var version = await CountAsync("SELECT version FROM energy_day_version");

        // A gateway back after weeks offline sends what its outbox kept: a reading in the middle of the 10th, and one
        // on the 20th, in another batch.
        var late = new Reading("sl-e005", days[9] + 12 * 3600 + 7, 9_999_999);
        var later = new Reading("sl-e006", days[19] + 3600, 1);
        await StoreReadingsAsync([late]);
        await StoreReadingsAsync([later]);

        Assert.Equal(29, await CountAsync("SELECT COUNT(*) FROM energy_day_spans"));
        Assert.Equal(0, await CountAsync($"SELECT COUNT(*) FROM energy_days WHERE day_start = {days[9]} OR day_start = {days[19]}"));
        Assert.Equal(version + 2, await CountAsync("SELECT version FROM energy_day_version"));
        var expected = Expected([.. readings, late, later], days[0], days[^1]);
        Assert.Equal(expected, await energy.StepsAsync(days));
        Assert.Equal(31, await CountAsync("SELECT COUNT(*) FROM energy_day_spans"));
    }

    [Fact]
    public async Task A_late_reading_stored_between_the_snapshot_and_keeping_its_sums_is_counted_next_time()
    {
        var days = OctoberDays();
        var readings = October(seed: 3);
        await StoreReadingsAsync(readings);
        var late = new Reading("sl-e007", days[2] + 3600, 9_999_999);
        var energy = new EnergyDays(Connections, TimeProvider.System) { AfterSnapshot = () => StoreReadingsAsync([late]) };

        // This report's snapshot was taken before the reading: it says what was stored then, and keeps none of it.
        Assert.Equal(Expected(readings, days[0], days[^1]), await energy.StepsAsync(days));
        Assert.Equal(0, await CountAsync("SELECT COUNT(*) FROM energy_day_spans"));

        energy.AfterSnapshot = null;
        Assert.Equal(Expected([.. readings, late], days[0], days[^1]), await energy.StepsAsync(days));
        Assert.Equal(31, await CountAsync("SELECT COUNT(*) FROM energy_day_spans"));
    }

    [Fact]
    public async Task A_report_whose_sums_cannot_be_kept_still_answers_and_keeps_nothing()
    {
        var days = OctoberDays();
        var readings = October(seed: 4);
        await StoreReadingsAsync(readings);
        // The database refuses the keeping (a full disk, say): a trigger that fails every span written.
        await using (var connection = await Connections.OpenAsync())
        await using (var refuse = connection.CreateCommand())
        {
            refuse.CommandText = Connections.Kind == StorageKind.Postgres
                ? "CREATE FUNCTION refuse_span() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'no space left'; END $$ LANGUAGE plpgsql; " +
                  "CREATE TRIGGER refuse_span BEFORE INSERT ON energy_day_spans FOR EACH ROW EXECUTE FUNCTION refuse_span()"
                : "CREATE TRIGGER refuse_span BEFORE INSERT ON energy_day_spans BEGIN SELECT RAISE(ABORT, 'no space left'); END";
            await refuse.ExecuteNonQueryAsync();
        }
        var energy = new EnergyDays(Connections, TimeProvider.System);

        Assert.Equal(Expected(readings, days[0], days[^1]), await energy.StepsAsync(days));
        Assert.Equal(0, await CountAsync("SELECT COUNT(*) FROM energy_day_spans"));
        Assert.Equal(0, await CountAsync("SELECT COUNT(*) FROM energy_days"));
    }

    [Fact]
    public async Task Recent_readings_leave_the_kept_sums_alone_and_young_days_are_summed_each_time()
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var version = await CountAsync("SELECT version FROM energy_day_version");
        var recent = new List<Reading> { new("sl-e001", now - 3600, 100), new("sl-e001", now - 60, 130), new("sl-e002", now - 7200, 7) };
        await StoreReadingsAsync(recent);
        Assert.Equal(version, await CountAsync("SELECT version FROM energy_day_version"));

        // The last three days (none ended 72 hours ago): summed, not kept.
        List<long> window = [now - 3 * 86400, now - 2 * 86400, now - 86400, now + 60];
        var energy = new EnergyDays(Connections, TimeProvider.System);
        Assert.Equal(Expected(recent, window[0], window[^1]), await energy.StepsAsync(window));
        Assert.Equal(0, await CountAsync("SELECT COUNT(*) FROM energy_day_spans"));
        Assert.Empty(await energy.StepsAsync([now - 10 * 86400, now - 9 * 86400])); // a kept day without readings
        Assert.Equal(1, await CountAsync("SELECT COUNT(*) FROM energy_day_spans"));
    }
}
