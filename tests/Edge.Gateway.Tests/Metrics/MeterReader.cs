using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics.Metrics;
using System.Linq;

namespace Edge.Tests.Metrics;

/// <summary>
/// Reads the instruments of one host — those its <see cref="IMeterFactory"/> made, so parallel tests' hosts don't mix
/// — through a <see cref="MeterListener"/>, the way dotnet-counters and the OpenTelemetry SDK subscribe. Counters
/// and histograms are summed per tag set from the moment it starts; observable gauges are read when asked.
/// </summary>
public sealed class MeterReader : IDisposable
{
    readonly MeterListener _listener = new();
    readonly ConcurrentDictionary<string, double> _sums = new(StringComparer.Ordinal);
    readonly ConcurrentDictionary<string, double> _latest = new(StringComparer.Ordinal);
    readonly ConcurrentDictionary<string, long> _counts = new(StringComparer.Ordinal);
    readonly ConcurrentDictionary<string, bool> _published = new(StringComparer.Ordinal); // name → observable

    public MeterReader(IMeterFactory scope)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, scope))
            {
                _published[instrument.Name] = instrument.IsObservable;
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.Start();
    }

    /// <summary>
    /// A counter's total, or a gauge's current value, for the tag set given as name/value pairs
    /// (<c>Get("edge.gateway.messages.rejected", "reason", "malformed")</c>). A counter never incremented for the
    /// tag set is 0; an instrument that does not exist, or a gauge that reports no such tag set, fails the test.
    /// </summary>
    public double Get(string instrument, params string[] tags)
    {
        if (!_published.TryGetValue(instrument, out var observable))
        {
            throw new InvalidOperationException($"no instrument {instrument} on this meter factory");
        }
        _listener.RecordObservableInstruments();
        var key = Key(instrument, Pairs(tags));
        if (observable)
        {
            return _latest.TryGetValue(key, out var latest) ? latest : throw new InvalidOperationException($"gauge {key} reported nothing");
        }
        return _sums.TryGetValue(key, out var sum) ? sum : 0;
    }

    /// <summary>How many measurements a histogram (or counter) received for the tag set.</summary>
    public long Count(string instrument, params string[] tags) => _counts.TryGetValue(Key(instrument, Pairs(tags)), out var n) ? n : 0;

    void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var key = Key(instrument.Name, tags.ToArray().Select(t => (t.Key, Convert.ToString(t.Value, System.Globalization.CultureInfo.InvariantCulture) ?? "")));
        if (instrument.IsObservable)
        {
            _latest[key] = value;
            return;
        }
        _sums.AddOrUpdate(key, value, (_, old) => old + value);
        _counts.AddOrUpdate(key, 1, (_, old) => old + 1);
    }

    static IEnumerable<(string Key, string Value)> Pairs(string[] tags)
    {
        if (tags.Length % 2 != 0) throw new ArgumentException("tags come as name/value pairs");
        for (var i = 0; i < tags.Length; i += 2) yield return (tags[i], tags[i + 1]);
    }

    static string Key(string instrument, IEnumerable<(string Key, string Value)> tags)
        => instrument + "{" + string.Join(",", tags.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => t.Key + "=" + t.Value)) + "}";

    public void Dispose() => _listener.Dispose();
}
