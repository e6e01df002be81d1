using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Globalization;
using System.IO;
using System.Text.RegularExpressions;
using System.Threading;
using Edge.Firmware.Hydro;
using Edge.Firmware.Runtime;
using Spectre.Console.Cli;

namespace Edge.Cli.Commands;

/// <summary>
/// `edge hydro replay`: runs the gauge's node logic over a logged series so a technician can tune
/// thresholds on past storms. Each CSV row is one sample of one reading: data loggers record one
/// (already reduced) distance per interval, so regrouping rows into bursts would blur the time axis.
/// </summary>
public sealed partial class HydroReplayCommand : Command<HydroReplayCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<SERIES>")]
        [Description("CSV of `timestamp,distance_mm` rows as exported from a data logger (ISO-8601 timestamps with Z or a UTC offset; header optional; an empty, NaN or null distance means no echo).")]
        public string Series { get; init; } = "";

        [CommandOption("-c|--config <GAUGE_JSON>")]
        [Description("The gauge configuration to replay with (JSON, see docs/water-gauge.md).")]
        public string? Config { get; init; }

        [CommandOption("--as-scheduled")]
        [Description("Feed only the rows a battery node would have sampled: rows before the gauge's next wake time are skipped (calm: every 15 min, busy: every minute).")]
        public bool AsScheduled { get; init; }

        public override Spectre.Console.ValidationResult Validate()
        {
            if (string.IsNullOrWhiteSpace(Config)) return Spectre.Console.ValidationResult.Error("--config <GAUGE_JSON> is required");
            return Spectre.Console.ValidationResult.Success();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        string configPath = settings.Config!;
        GaugeConfig config;
        try
        {
            config = GaugeConfigReader.Parse(File.ReadAllBytes(configPath));
        }
        catch (GaugeConfigException e)
        {
            Console.Error.WriteLine($"edge: {configPath} is not a valid gauge configuration:");
            foreach (var error in e.Errors) Console.Error.WriteLine("  " + error);
            return CliErrors.Invalid;
        }

        var printer = new EventPrinter(config, Console.Out);
        var gauge = new Gauge(config, new MemoryStorage(), printer);
        var reading = new int[1];
        int rows = 0, badRows = 0, unscheduled = 0;
        long previous = long.MinValue;
        long first = 0;

        using var reader = new StreamReader(settings.Series);
        int lineNumber = 0;
        string? line;
        while ((line = reader.ReadLine()) != null)
        {
            cancellationToken.ThrowIfCancellationRequested();
            lineNumber++;
            if (line.Trim().Length == 0) continue;
            if (!TryParseRow(line, out long time, out int distance, out string problem))
            {
                if (rows == 0 && badRows == 0 && IsHeader(line)) continue;
                Bad(lineNumber, problem, ref badRows);
                continue;
            }
            if (time <= previous)
            {
                Bad(lineNumber, $"timestamp {Iso(time)} is not after the previous row's ({Iso(previous)})", ref badRows);
                continue;
            }
            previous = time;
            if (rows++ == 0) first = time;
            if (settings.AsScheduled && time < gauge.NextSampleAt)
            {
                unscheduled++;
                continue;
            }
            reading[0] = distance;
            printer.Count(gauge.Submit(time, reading, 1));
        }

        PrintSummary(Console.Out, gauge, printer, rows, badRows, unscheduled, first, previous);
        return 0;
    }

    private static void Bad(int lineNumber, string problem, ref int badRows)
    {
        badRows++;
        Console.Error.WriteLine($"line {lineNumber}: {problem}; skipped");
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|z|[+-]\d{2}(:?\d{2})?)$")]
    private static partial Regex ZonedTimestamp();

    private static bool IsHeader(string line) => line.IndexOfAny("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".ToCharArray()) >= 0 && !char.IsDigit(line.TrimStart()[0]);

    private static bool TryParseRow(string line, out long time, out int distance, out string problem)
    {
        time = 0;
        distance = 0;
        var fields = line.Split(',');
        if (fields.Length != 2)
        {
            problem = $"expected 2 fields (timestamp,distance_mm), found {fields.Length}";
            return false;
        }
        string stamp = fields[0].Trim().Trim('"');
        string value = fields[1].Trim().Trim('"');
        if (!ZonedTimestamp().IsMatch(stamp) ||
            !DateTimeOffset.TryParse(stamp, CultureInfo.InvariantCulture, DateTimeStyles.None, out var instant))
        {
            problem = $"timestamp '{stamp}' is not ISO-8601 with Z or a UTC offset";
            return false;
        }
        time = instant.ToUnixTimeSeconds();
        if (value.Length == 0 || value.Equals("nan", StringComparison.OrdinalIgnoreCase) || value.Equals("null", StringComparison.OrdinalIgnoreCase))
        {
            distance = 0; // the logger recorded no reading: the node's "no echo"
            problem = "";
            return true;
        }
        if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double mm) || double.IsNaN(mm) || double.IsInfinity(mm) || Math.Abs(mm) > 1e9)
        {
            problem = $"distance '{value}' is not a number of millimetres";
            return false;
        }
        distance = (int)Math.Round(mm, MidpointRounding.AwayFromZero);
        problem = "";
        return true;
    }

    internal static string Iso(long unixSeconds) =>
        DateTimeOffset.FromUnixTimeSeconds(unixSeconds).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    internal static string Name(FloodState s) => s.ToString().ToLowerInvariant();

    private static string Duration(long seconds) => $"{seconds / 3600}h {seconds % 3600 / 60:00}m";

    private static void PrintSummary(TextWriter o, Gauge g, EventPrinter p, int rows, int badRows, int unscheduled, long first, long last)
    {
        o.WriteLine();
        o.WriteLine("Summary");
        o.WriteLine($"  rows:      {rows} read{(rows > 0 ? $" ({Iso(first)} to {Iso(last)})" : "")}, {badRows} bad (skipped){(unscheduled > 0 ? $", {unscheduled} not sampled (--as-scheduled)" : "")}");
        o.WriteLine($"  samples:   {g.SampleCount} ({p.Accepted} accepted, {p.Held} held for confirmation, {p.Rejected} rejected)");
        o.WriteLine($"  rejected readings: no echo {g.Rejected(RejectReason.NoEcho)}, too close {g.Rejected(RejectReason.TooClose)}, too far {g.Rejected(RejectReason.TooFar)}");
        o.WriteLine($"  rejected samples:  too few readings {g.Rejected(RejectReason.TooFewReadings)}, spike {g.Rejected(RejectReason.Spike)}, stuck {g.Rejected(RejectReason.Stuck)}");
        o.WriteLine(g.AcceptedCount > 0 ? $"  max level: {g.MaxLevelMm} mm at {Iso(g.MaxLevelAt)}" : "  max level: none (no accepted sample)");
        o.WriteLine($"  final:     {Name(g.State)}, sensor {g.Health.ToString().ToLowerInvariant()}, {p.StateChanges} state changes, {p.RateAlarms} rate-of-rise alarms");
        o.WriteLine($"  time in state: normal {Duration(g.SecondsInState(FloodState.Normal))}, watch {Duration(g.SecondsInState(FloodState.Watch))}, warning {Duration(g.SecondsInState(FloodState.Warning))}, alarm {Duration(g.SecondsInState(FloodState.Alarm))}");
    }

    /// <summary>Prints each event as the node reports it, one line each.</summary>
    private sealed class EventPrinter : IGaugeEvents
    {
        private readonly GaugeConfig _config;
        private readonly TextWriter _out;

        public EventPrinter(GaugeConfig config, TextWriter output)
        {
            _config = config;
            _out = output;
        }

        public int Accepted, Held, Rejected, StateChanges, RateAlarms;

        public void Count(SampleOutcome outcome)
        {
            if (outcome == SampleOutcome.Accepted) Accepted++;
            else if (outcome == SampleOutcome.Held) Held++;
            else Rejected++;
        }

        public void StateChanged(long time, FloodState from, FloodState to, int levelMm, StateChangeReason reason)
        {
            StateChanges++;
            string why = reason == StateChangeReason.LevelReachedThreshold
                ? $"reached the {Name(to)} level {_config.Threshold(to).LevelMm} mm"
                : $"below {_config.Threshold(from).ReleaseLevelMm} mm ({Name(from)} {_config.Threshold(from).LevelMm} − hysteresis {_config.Threshold(from).HysteresisMm}) for {_config.Threshold(from).DwellS} s";
            _out.WriteLine($"{Iso(time)}  {Name(from)} -> {Name(to)}  level {levelMm} mm  ({why})");
        }

        public void RateOfRiseChanged(long time, bool active, int riseMm, int levelMm)
        {
            if (active) RateAlarms++;
            _out.WriteLine(active
                ? $"{Iso(time)}  rate-of-rise alarm on  level {levelMm} mm  (rose {riseMm} mm within {_config.RiseWindowS} s; limit {_config.RiseMm} mm)"
                : $"{Iso(time)}  rate-of-rise alarm off  level {levelMm} mm  (rise within {_config.RiseWindowS} s down to {riseMm} mm)");
        }

        public void SensorHealthChanged(long time, SensorHealth from, SensorHealth to)
        {
            string what = to switch
            {
                SensorHealth.Stuck => $"sensor stuck (same distance for {_config.StuckWindowS} s; readings ignored)",
                SensorHealth.Absent => $"sensor absent ({_config.AbsentAfterSamples} samples without echo; state held)",
                _ => $"sensor ok again (was {from.ToString().ToLowerInvariant()})",
            };
            _out.WriteLine($"{Iso(time)}  {what}");
        }
    }

    /// <summary>The replay's stand-in for the node's flash: the gauge saves after every sample.</summary>
    private sealed class MemoryStorage : IStorage
    {
        private readonly Dictionary<string, byte[]> _records = new();

        public int Read(string key, byte[] buffer)
        {
            if (!_records.TryGetValue(key, out var record)) return -1;
            if (record.Length <= buffer.Length) record.CopyTo(buffer, 0);
            return record.Length;
        }

        public void Write(string key, byte[] buffer, int count) => _records[key] = buffer.AsSpan(0, count).ToArray();
    }
}
