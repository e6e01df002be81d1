using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Threading;

namespace Edge.Gateway.Operations;

/// <summary>
/// The gateway's metrics, rendered at /metrics in the Prometheus text exposition format 0.0.4. Components
/// create counters and register gauges here at start-up (the uplink and rules add theirs the same way:
/// <c>metrics.CreateCounter("edge_gateway_rule_firings_total", "…", "rule")</c>,
/// <c>metrics.RegisterGauge("edge_gateway_uplink_lag_seconds", "…", () => lag)</c>).
/// Kept in-house because the format is a few lines and the gateway must not need the network to expose it.
/// </summary>
public sealed class MetricsRegistry
{
    readonly ConcurrentDictionary<string, IMetric> _metrics = new(StringComparer.Ordinal);

    public Counter CreateCounter(string name, string help, params string[] labelNames)
    {
        var counter = new Counter(name, help, labelNames);
        if (!_metrics.TryAdd(name, counter))
        {
            throw new InvalidOperationException($"metric {name} is already registered");
        }
        return counter;
    }

    /// <summary>A gauge read when /metrics is scraped.</summary>
    public void RegisterGauge(string name, string help, Func<double> read)
        => RegisterGauge(name, help, Array.Empty<string>(), () => new[] { new LabelledValue(Array.Empty<string>(), read()) });

    /// <summary>A gauge with labels; <paramref name="read"/> returns one value per label set.</summary>
    public void RegisterGauge(string name, string help, string[] labelNames, Func<IEnumerable<LabelledValue>> read)
    {
        if (!_metrics.TryAdd(name, new Gauge(name, help, labelNames, read)))
        {
            throw new InvalidOperationException($"metric {name} is already registered");
        }
    }

    public string Render()
    {
        var text = new StringBuilder();
        foreach (var metric in _metrics.Values.OrderBy(m => m.Name, StringComparer.Ordinal))
        {
            metric.Render(text);
        }
        return text.ToString();
    }

    internal static void WriteSample(StringBuilder text, string name, string[] labelNames, string[] labelValues, double value)
    {
        text.Append(name);
        if (labelNames.Length > 0)
        {
            text.Append('{');
            for (var i = 0; i < labelNames.Length; i++)
            {
                if (i > 0) text.Append(',');
                text.Append(labelNames[i]).Append("=\"").Append(Escape(labelValues[i])).Append('"');
            }
            text.Append('}');
        }
        text.Append(' ').Append(value.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
    }

    static string Escape(string value) => value.Replace("\\", "\\\\").Replace("\"", "\\\"").Replace("\n", "\\n");

    interface IMetric
    {
        string Name { get; }
        void Render(StringBuilder text);
    }

    public readonly record struct LabelledValue(string[] Labels, double Value);

    public sealed class Counter : IMetric
    {
        readonly string[] _labelNames;
        readonly string _help;
        readonly ConcurrentDictionary<string, Cell> _cells = new(StringComparer.Ordinal);

        internal Counter(string name, string help, string[] labelNames)
        {
            Name = name;
            _help = help;
            _labelNames = labelNames;
            if (labelNames.Length == 0)
            {
                _cells[""] = new Cell(Array.Empty<string>());
            }
        }

        public string Name { get; }

        public void Inc(params string[] labelValues) => Add(1, labelValues);

        public void Add(long amount, params string[] labelValues)
        {
            if (labelValues.Length != _labelNames.Length)
            {
                throw new ArgumentException($"{Name} takes {_labelNames.Length} label values");
            }
            var key = string.Join("\u0001", labelValues);
            var cell = _cells.GetOrAdd(key, _ => new Cell(labelValues));
            Interlocked.Add(ref cell.Value, amount);
        }

        public long Get(params string[] labelValues)
            => _cells.TryGetValue(string.Join("\u0001", labelValues), out var cell) ? Interlocked.Read(ref cell.Value) : 0;

        public void Render(StringBuilder text)
        {
            text.Append("# HELP ").Append(Name).Append(' ').Append(_help).Append('\n');
            text.Append("# TYPE ").Append(Name).Append(" counter\n");
            foreach (var cell in _cells.Values.OrderBy(c => string.Join(",", c.Labels), StringComparer.Ordinal))
            {
                WriteSample(text, Name, _labelNames, cell.Labels, Interlocked.Read(ref cell.Value));
            }
        }

        sealed class Cell(string[] labels)
        {
            public readonly string[] Labels = labels;
            public long Value;
        }
    }

    sealed class Gauge(string name, string help, string[] labelNames, Func<IEnumerable<LabelledValue>> read) : IMetric
    {
        public string Name { get; } = name;

        public void Render(StringBuilder text)
        {
            text.Append("# HELP ").Append(Name).Append(' ').Append(help).Append('\n');
            text.Append("# TYPE ").Append(Name).Append(" gauge\n");
            foreach (var sample in read())
            {
                WriteSample(text, Name, labelNames, sample.Labels, sample.Value);
            }
        }
    }
}
