using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace Edge.Tests.Metrics;

/// <summary>
/// The samples and metric types of a scrape in the Prometheus text exposition format 0.0.4
/// (prometheus.io/docs/instrumenting/exposition_formats): <c>name{label="value",…} value [timestamp]</c> lines,
/// <c># TYPE name type</c> and <c># HELP</c> comments, label values escaped with <c>\\</c>, <c>\"</c> and <c>\n</c>.
/// Parsed independently of the exporter, so a test reads what Prometheus would.
/// </summary>
public sealed class PrometheusText
{
    readonly List<(string Name, Dictionary<string, string> Labels, double Value)> _samples = new();
    readonly Dictionary<string, string> _types = new(StringComparer.Ordinal);

    public PrometheusText(string text)
    {
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.Length == 0) continue;
            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                var parts = line.Split(' ');
                _types[parts[2]] = parts[3];
                continue;
            }
            if (line.StartsWith('#')) continue;
            _samples.Add(ParseSample(line));
        }
    }

    /// <summary>The metric family's <c># TYPE</c> (counter, gauge, histogram…), or null when it is not in the scrape.</summary>
    public string? TypeOf(string family) => _types.GetValueOrDefault(family);

    public IEnumerable<string> Names => _samples.Select(s => s.Name).Distinct();

    /// <summary>
    /// The value of the one sample named <paramref name="name"/> whose labels include the given name/value pairs
    /// (other labels, such as otel_scope_name, are ignored); null when there is none.
    /// </summary>
    public double? Value(string name, params string[] labels)
    {
        var matches = _samples.Where(s => s.Name == name && Matches(s.Labels, labels)).ToList();
        return matches.Count switch
        {
            0 => null,
            1 => matches[0].Value,
            _ => throw new InvalidOperationException($"{matches.Count} samples of {name} match {string.Join(",", labels)}"),
        };
    }

    static bool Matches(Dictionary<string, string> actual, string[] wanted)
    {
        for (var i = 0; i < wanted.Length; i += 2)
        {
            if (!actual.TryGetValue(wanted[i], out var value) || value != wanted[i + 1]) return false;
        }
        return true;
    }

    static (string, Dictionary<string, string>, double) ParseSample(string line)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        var brace = line.IndexOf('{');
        var space = line.IndexOf(' ');
        string name;
        int rest;
        if (brace >= 0 && brace < space)
        {
            name = line[..brace];
            var i = brace + 1;
            while (line[i] != '}')
            {
                var eq = line.IndexOf('=', i);
                var label = line[i..eq].Trim();
                if (line[eq + 1] != '"') throw new FormatException($"label value not quoted: {line}");
                var value = new StringBuilder();
                var j = eq + 2;
                for (; line[j] != '"'; j++)
                {
                    if (line[j] == '\\')
                    {
                        j++;
                        value.Append(line[j] switch { 'n' => '\n', '\\' => '\\', '"' => '"', var c => throw new FormatException($"bad escape \\{c}: {line}") });
                    }
                    else
                    {
                        value.Append(line[j]);
                    }
                }
                labels[label] = value.ToString();
                i = j + 1;
                if (line[i] == ',') i++;
            }
            rest = i + 1;
        }
        else
        {
            name = line[..space];
            rest = space;
        }
        var fields = line[rest..].Trim().Split(' ');
        var number = fields[0] switch
        {
            "+Inf" => double.PositiveInfinity,
            "-Inf" => double.NegativeInfinity,
            "NaN" => double.NaN,
            var v => double.Parse(v, NumberStyles.Float, CultureInfo.InvariantCulture),
        };
        return (name, labels, number);
    }
}
