using System.Collections;
using Edge.Firmware.Protocol;
using Edge.Firmware.Time;

namespace Edge.Firmware.Transit;

/// <summary>
/// Parses and validates the stop timetable document (docs/display-content.md, "Timetable"): up to
/// two service days, each with its date, UTC offset and departures at local service-day times.
/// </summary>
public sealed class TimetableParser
{
    public const int SchemaVersion = 1;

    private readonly DocumentReader _r = new DocumentReader();

    public Timetable Parse(byte[] utf8) { return Parse(utf8, 0, utf8.Length); }

    public Timetable Parse(byte[] utf8, int offset, int count)
    {
        _r.Reset(utf8, offset, count);
        int seen = 0;
        long version = 0;
        BilingualText? stopName = null;
        var dayStarts = new long[0];
        var dayOffsets = new int[0];
        var departures = new ArrayList();

        _r.StartObject("");
        while (_r.NextProperty())
        {
            if (_r.Is("schema"))
            {
                seen = DocumentReader.Once(seen, 1, "schema");
                long schema = _r.Whole("schema", 0, int.MaxValue);
                if (schema != SchemaVersion) throw DocumentReader.Fail("schema", "version " + schema.ToString() + " is not supported (this node reads " + SchemaVersion.ToString() + ")");
            }
            else if (_r.Is("version")) { seen = DocumentReader.Once(seen, 2, "version"); version = _r.Whole("version", 0, long.MaxValue); }
            else if (_r.Is("stop")) { seen = DocumentReader.Once(seen, 4, "stop"); stopName = DisplayContentParser.ReadStop("stop", _r); }
            else if (_r.Is("days"))
            {
                seen = DocumentReader.Once(seen, 8, "days");
                var starts = new long[Timetable.MaxDays];
                var offsets = new int[Timetable.MaxDays];
                int n = ReadDays(starts, offsets, departures);
                dayStarts = new long[n];
                dayOffsets = new int[n];
                for (int i = 0; i < n; i++) { dayStarts[i] = starts[i]; dayOffsets[i] = offsets[i]; }
            }
            else throw _r.Unknown("");
        }
        _r.End();
        DocumentReader.Require(seen, 1, "schema");
        DocumentReader.Require(seen, 2, "version");
        DocumentReader.Require(seen, 4, "stop");
        DocumentReader.Require(seen, 8, "days");

        var result = new Arrival[departures.Count];
        for (int i = 0; i < result.Length; i++) result[i] = (Arrival)departures[i]!;
        SortByTime(result);
        return new Timetable(version, stopName!, dayStarts, dayOffsets, result);
    }

    private int ReadDays(long[] starts, int[] offsets, ArrayList departures)
    {
        _r.StartArray("days");
        int n = 0;
        long previousDate = 0;
        while (_r.NextElement())
        {
            string path = DocumentReader.Index("days", n);
            if (n == Timetable.MaxDays) throw DocumentReader.Fail("days", "more than " + Timetable.MaxDays.ToString() + " days (today and tomorrow)");
            if (_r.Json.Token != JsonToken.StartObject) throw DocumentReader.Fail(path, "expected an object");
            int seen = 0;
            long date = 0;
            int offset = 0;
            var dayDepartures = new ArrayList();
            var times = new ArrayList();
            while (_r.NextProperty())
            {
                if (_r.Is("date"))
                {
                    seen = DocumentReader.Once(seen, 1, DocumentReader.Child(path, "date"));
                    string s = _r.String(DocumentReader.Child(path, "date"), 10);
                    if (!IsoTime.TryParseDate(s, out date)) throw DocumentReader.Fail(DocumentReader.Child(path, "date"), "\"" + s + "\" is not a date like 2026-11-26");
                }
                else if (_r.Is("utcOffset")) { seen = DocumentReader.Once(seen, 2, DocumentReader.Child(path, "utcOffset")); offset = _r.Offset(DocumentReader.Child(path, "utcOffset")); }
                else if (_r.Is("departures")) { seen = DocumentReader.Once(seen, 4, DocumentReader.Child(path, "departures")); ReadDepartures(DocumentReader.Child(path, "departures"), dayDepartures, times); }
                else throw _r.Unknown(path);
            }
            DocumentReader.Require(seen, 1, DocumentReader.Child(path, "date"));
            DocumentReader.Require(seen, 2, DocumentReader.Child(path, "utcOffset"));
            DocumentReader.Require(seen, 4, DocumentReader.Child(path, "departures"));
            if (n > 0 && date != previousDate + 1)
                throw DocumentReader.Fail(DocumentReader.Child(path, "date"), "must be the day after days[" + (n - 1).ToString() + "].date");
            long midnightUtc = date * CivilTime.SecondsPerDay - offset;
            if (departures.Count + dayDepartures.Count > Timetable.MaxDepartures) throw DocumentReader.Fail(DocumentReader.Child(path, "departures"), "more than " + Timetable.MaxDepartures.ToString() + " departures in all");
            for (int i = 0; i < dayDepartures.Count; i++)
            {
                var d = (Arrival)dayDepartures[i]!;
                departures.Add(new Arrival(d.Route, d.Headsign, midnightUtc + (int)times[i]!, false, false));
            }
            starts[n] = midnightUtc;
            previousDate = date;
            offsets[n] = offset;
            n++;
        }
        return n;
    }

    private void ReadDepartures(string path, ArrayList into, ArrayList times)
    {
        _r.StartArray(path);
        while (_r.NextElement())
        {
            string p = DocumentReader.Index(path, into.Count);
            if (_r.Json.Token != JsonToken.StartObject) throw DocumentReader.Fail(p, "expected an object");
            int seen = 0;
            string? route = null;
            BilingualText? headsign = null;
            int time = 0;
            while (_r.NextProperty())
            {
                if (_r.Is("route")) { seen = DocumentReader.Once(seen, 1, DocumentReader.Child(p, "route")); route = _r.String(DocumentReader.Child(p, "route"), DisplayContentParser.MaxRouteLength); }
                else if (_r.Is("headsign")) { seen = DocumentReader.Once(seen, 2, DocumentReader.Child(p, "headsign")); headsign = _r.Bilingual(DocumentReader.Child(p, "headsign"), DisplayContentParser.MaxTextLength); }
                else if (_r.Is("time"))
                {
                    seen = DocumentReader.Once(seen, 4, DocumentReader.Child(p, "time"));
                    string s = _r.String(DocumentReader.Child(p, "time"), 5);
                    if (!IsoTime.TryParseServiceTime(s, out time)) throw DocumentReader.Fail(DocumentReader.Child(p, "time"), "\"" + s + "\" is not a local time like 14:35 (00:00..47:59)");
                }
                else throw _r.Unknown(p);
            }
            DocumentReader.Require(seen, 1, DocumentReader.Child(p, "route"));
            DocumentReader.Require(seen, 2, DocumentReader.Child(p, "headsign"));
            DocumentReader.Require(seen, 4, DocumentReader.Child(p, "time"));
            into.Add(new Arrival(route!, headsign!, 0, false, false));
            times.Add(time);
        }
    }

    /// <summary>Insertion sort by time, stable so equal times keep document order (once, at load).</summary>
    private static void SortByTime(Arrival[] a)
    {
        for (int i = 1; i < a.Length; i++)
        {
            var x = a[i];
            int j = i - 1;
            while (j >= 0 && a[j].At > x.At) { a[j + 1] = a[j]; j--; }
            a[j + 1] = x;
        }
    }
}
