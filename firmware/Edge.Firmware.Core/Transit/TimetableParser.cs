using System.Collections;
using Edge.Firmware.Protocol;
using Edge.Firmware.Time;

namespace Edge.Firmware.Transit;

/// <summary>
/// Parses and validates the stop timetable document (docs/display-content.md, "Timetable"): up to
/// two service days, each with its date, UTC offset and departures at local service-day times.
/// A day's departures repeat a few routes and headsigns many times: equal ones share one string and one
/// <see cref="BilingualText"/>, so the kept timetable costs a few objects per departure on a small heap
/// (hardware/heap.md).
/// </summary>
public sealed class TimetableParser
{
    public const int SchemaVersion = 1;

    // A sign keeps its previous content rather than show half of a broken one: stop at the first problem.
    private readonly DocumentReader _r = new DocumentReader(1) { StopAtFirstError = true, NameWhatWasFound = true };
    // Distinct route labels and headsigns of the document being read; null between documents (nothing kept).
    private ArrayList? _routes;
    private ArrayList? _headsigns;

    public Timetable Parse(byte[] utf8) { return Parse(utf8, 0, utf8.Length); }

    public Timetable Parse(byte[] utf8, int offset, int count)
    {
        _routes = new ArrayList();
        _headsigns = new ArrayList();
        try
        {
            return Read(utf8, offset, count);
        }
        finally
        {
            _routes = null;
            _headsigns = null;
        }
    }

    private Timetable Read(byte[] utf8, int offset, int count)
    {
        _r.Reset(utf8, offset, count);
        int seen = 0;
        long version = 0;
        BilingualText? stopName = null;
        var dayStarts = new long[0];
        var dayOffsets = new int[0];
        var departures = new ArrayList();

        _r.Enter(JsonToken.StartObject, "", "an object");
        while (_r.NextProperty())
        {
            if (_r.Is("schema"))
            {
                seen = _r.Once(seen, 1, "schema");
                long schema = _r.Whole("schema", 0, int.MaxValue, 0);
                if (schema != SchemaVersion) throw DocumentReader.Rejection("schema", "version " + schema.ToString() + " is not supported (this node reads " + SchemaVersion.ToString() + ")");
            }
            else if (_r.Is("version")) { seen = _r.Once(seen, 2, "version"); version = _r.Whole("version", 0, long.MaxValue, 0); }
            else if (_r.Is("stop")) { seen = _r.Once(seen, 4, "stop"); stopName = DisplayContentParser.ReadStop("stop", _r); }
            else if (_r.Is("days"))
            {
                seen = _r.Once(seen, 8, "days");
                var starts = new long[Timetable.MaxDays];
                var offsets = new int[Timetable.MaxDays];
                int n = ReadDays(starts, offsets, departures);
                dayStarts = new long[n];
                dayOffsets = new int[n];
                for (int i = 0; i < n; i++) { dayStarts[i] = starts[i]; dayOffsets[i] = offsets[i]; }
            }
            else _r.UnknownProperty("");
        }
        _r.Json.Read(); // nothing may follow the root
        _r.Require(seen, 1, "schema");
        _r.Require(seen, 2, "version");
        _r.Require(seen, 4, "stop");
        _r.Require(seen, 8, "days");

        var result = new Arrival[departures.Count];
        for (int i = 0; i < result.Length; i++) result[i] = (Arrival)departures[i]!;
        SortByTime(result);
        return new Timetable(version, stopName!, dayStarts, dayOffsets, result);
    }

    private int ReadDays(long[] starts, int[] offsets, ArrayList departures)
    {
        _r.Enter(JsonToken.StartArray, "days", "an array");
        int n = 0;
        long previousDate = 0;
        while (_r.NextElement())
        {
            string path = DocumentReader.Index("days", n);
            if (n == Timetable.MaxDays) throw DocumentReader.Rejection("days", "more than " + Timetable.MaxDays.ToString() + " days (today and tomorrow)");
            if (_r.Json.Token != JsonToken.StartObject) throw DocumentReader.Rejection(path, "expected an object");
            int seen = 0;
            long date = 0;
            int offset = 0;
            var dayDepartures = new ArrayList();
            var times = new ArrayList();
            while (_r.NextProperty())
            {
                if (_r.Is("date"))
                {
                    seen = _r.Once(seen, 1, DocumentReader.Child(path, "date"));
                    string s = _r.Label(DocumentReader.Child(path, "date"), 10);
                    if (!IsoTime.TryParseDate(s, out date)) throw DocumentReader.Rejection(DocumentReader.Child(path, "date"), "\"" + s + "\" is not a date like 2026-11-26");
                }
                else if (_r.Is("utcOffset")) { seen = _r.Once(seen, 2, DocumentReader.Child(path, "utcOffset")); offset = _r.UtcOffset(DocumentReader.Child(path, "utcOffset")); }
                else if (_r.Is("departures")) { seen = _r.Once(seen, 4, DocumentReader.Child(path, "departures")); ReadDepartures(DocumentReader.Child(path, "departures"), dayDepartures, times); }
                else _r.UnknownProperty(path);
            }
            _r.Require(seen, 1, DocumentReader.Child(path, "date"));
            _r.Require(seen, 2, DocumentReader.Child(path, "utcOffset"));
            _r.Require(seen, 4, DocumentReader.Child(path, "departures"));
            if (n > 0 && date != previousDate + 1)
                throw DocumentReader.Rejection(DocumentReader.Child(path, "date"), "must be the day after days[" + (n - 1).ToString() + "].date");
            long midnightUtc = date * CivilTime.SecondsPerDay - offset;
            if (departures.Count + dayDepartures.Count > Timetable.MaxDepartures) throw DocumentReader.Rejection(DocumentReader.Child(path, "departures"), "more than " + Timetable.MaxDepartures.ToString() + " departures in all");
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
        _r.Enter(JsonToken.StartArray, path, "an array");
        while (_r.NextElement())
        {
            string p = DocumentReader.Index(path, into.Count);
            if (_r.Json.Token != JsonToken.StartObject) throw DocumentReader.Rejection(p, "expected an object");
            int seen = 0;
            string? route = null;
            BilingualText? headsign = null;
            int time = 0;
            while (_r.NextProperty())
            {
                if (_r.Is("route")) { seen = _r.Once(seen, 1, DocumentReader.Child(p, "route")); route = _r.Label(DocumentReader.Child(p, "route"), DisplayContentParser.MaxRouteLength); }
                else if (_r.Is("headsign")) { seen = _r.Once(seen, 2, DocumentReader.Child(p, "headsign")); headsign = DisplayContentParser.ReadBilingual(_r, DocumentReader.Child(p, "headsign"), DisplayContentParser.MaxTextLength); }
                else if (_r.Is("time"))
                {
                    seen = _r.Once(seen, 4, DocumentReader.Child(p, "time"));
                    string s = _r.Label(DocumentReader.Child(p, "time"), 5);
                    if (!IsoTime.TryParseServiceTime(s, out time)) throw DocumentReader.Rejection(DocumentReader.Child(p, "time"), "\"" + s + "\" is not a local time like 14:35 (00:00..47:59)");
                }
                else _r.UnknownProperty(p);
            }
            _r.Require(seen, 1, DocumentReader.Child(p, "route"));
            _r.Require(seen, 2, DocumentReader.Child(p, "headsign"));
            _r.Require(seen, 4, DocumentReader.Child(p, "time"));
            into.Add(new Arrival(Shared(route!), Shared(headsign!), 0, false, false));
            times.Add(time);
        }
    }

    private string Shared(string route)
    {
        for (int i = 0; i < _routes!.Count; i++)
        {
            var known = (string)_routes[i]!;
            if (known == route) return known;
        }
        _routes.Add(route);
        return route;
    }

    private BilingualText Shared(BilingualText headsign)
    {
        for (int i = 0; i < _headsigns!.Count; i++)
        {
            var known = (BilingualText)_headsigns[i]!;
            if (known.Greek == headsign.Greek && known.English == headsign.English) return known;
        }
        _headsigns.Add(headsign);
        return headsign;
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
