using System.Collections;
using Edge.Firmware.Protocol;
using Edge.Firmware.Time;

namespace Edge.Firmware.Transit;

/// <summary>
/// Parses and validates the stop timetable document (docs/display-content.md, "Timetable"): up to
/// two service days, each with its date, UTC offset and departures at local service-day times.
/// A day's departures repeat a few routes and headsigns many times: each distinct one is kept once and a
/// departure keeps only its time and two indexes (<see cref="Timetable"/>), so a full day costs well under
/// a kilobyte on a small heap (hardware/heap.md).
/// </summary>
public sealed class TimetableParser
{
    public const int SchemaVersion = 1;

    // A sign keeps its previous content rather than show half of a broken one: stop at the first problem.
    private readonly DocumentReader _r = new DocumentReader(1) { StopAtFirstError = true, NameWhatWasFound = true };
    // The document being read; null between documents (nothing kept).
    private ArrayList? _routes;
    private ArrayList? _headsigns;
    private long[]? _at;
    private byte[]? _route;
    private byte[]? _headsign;
    private int _count;

    public Timetable Parse(byte[] utf8) { return Parse(utf8, 0, utf8.Length); }

    public Timetable Parse(byte[] utf8, int offset, int count)
    {
        _routes = new ArrayList();
        _headsigns = new ArrayList();
        _at = new long[Timetable.MaxDepartures];
        _route = new byte[Timetable.MaxDepartures];
        _headsign = new byte[Timetable.MaxDepartures];
        _count = 0;
        try
        {
            return Read(utf8, offset, count);
        }
        finally
        {
            _r.Release();
            _routes = null;
            _headsigns = null;
            _at = null;
            _route = null;
            _headsign = null;
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
                int n = ReadDays(starts, offsets);
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

        SortByTime();
        int n2 = _count;
        long baseUtc = n2 > 0 ? _at![0] : 0;
        var after = new int[n2];
        var route = new byte[n2];
        var headsign = new byte[n2];
        for (int i = 0; i < n2; i++)
        {
            after[i] = (int)(_at![i] - baseUtc);
            route[i] = _route![i];
            headsign[i] = _headsign![i];
        }
        var routes = new string[_routes!.Count];
        for (int i = 0; i < routes.Length; i++) routes[i] = (string)_routes[i]!;
        var headsigns = new BilingualText[_headsigns!.Count];
        for (int i = 0; i < headsigns.Length; i++) headsigns[i] = (BilingualText)_headsigns[i]!;
        return new Timetable(version, stopName!, dayStarts, dayOffsets, baseUtc, after, route, headsign, routes, headsigns);
    }

    private int ReadDays(long[] starts, int[] offsets)
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
            int first = _count;
            while (_r.NextProperty())
            {
                if (_r.Is("date"))
                {
                    seen = _r.Once(seen, 1, DocumentReader.Child(path, "date"));
                    string s = _r.Label(DocumentReader.Child(path, "date"), 10);
                    if (!IsoTime.TryParseDate(s, out date)) throw DocumentReader.Rejection(DocumentReader.Child(path, "date"), "\"" + s + "\" is not a date like 2026-11-26");
                }
                else if (_r.Is("utcOffset")) { seen = _r.Once(seen, 2, DocumentReader.Child(path, "utcOffset")); offset = _r.UtcOffset(DocumentReader.Child(path, "utcOffset")); }
                else if (_r.Is("departures")) { seen = _r.Once(seen, 4, DocumentReader.Child(path, "departures")); ReadDepartures(DocumentReader.Child(path, "departures")); }
                else _r.UnknownProperty(path);
            }
            _r.Require(seen, 1, DocumentReader.Child(path, "date"));
            _r.Require(seen, 2, DocumentReader.Child(path, "utcOffset"));
            _r.Require(seen, 4, DocumentReader.Child(path, "departures"));
            if (n > 0 && date != previousDate + 1)
                throw DocumentReader.Rejection(DocumentReader.Child(path, "date"), "must be the day after days[" + (n - 1).ToString() + "].date");
            long midnightUtc = date * CivilTime.SecondsPerDay - offset;
            // The day's departures were read as local service-day times: now that its date and offset are known, make them instants.
            for (int i = first; i < _count; i++) _at![i] += midnightUtc;
            starts[n] = midnightUtc;
            previousDate = date;
            offsets[n] = offset;
            n++;
        }
        return n;
    }

    private void ReadDepartures(string path)
    {
        _r.Enter(JsonToken.StartArray, path, "an array");
        int index = 0;
        while (_r.NextElement())
        {
            string p = DocumentReader.Index(path, index++);
            if (_r.Json.Token != JsonToken.StartObject) throw DocumentReader.Rejection(p, "expected an object");
            if (_count == Timetable.MaxDepartures) throw DocumentReader.Rejection(path, "more than " + Timetable.MaxDepartures.ToString() + " departures in all");
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
            _at![_count] = time;
            _route![_count] = (byte)RouteIndex(route!, DocumentReader.Child(p, "route"));
            _headsign![_count] = (byte)HeadsignIndex(headsign!, DocumentReader.Child(p, "headsign"));
            _count++;
        }
    }

    private int RouteIndex(string route, string path)
    {
        for (int i = 0; i < _routes!.Count; i++)
        {
            if ((string)_routes[i]! == route) return i;
        }
        if (_routes.Count == Timetable.MaxDistinct) throw DocumentReader.Rejection(path, "more than " + Timetable.MaxDistinct.ToString() + " different routes");
        return _routes.Add(route);
    }

    private int HeadsignIndex(BilingualText headsign, string path)
    {
        for (int i = 0; i < _headsigns!.Count; i++)
        {
            var known = (BilingualText)_headsigns[i]!;
            if (known.Greek == headsign.Greek && known.English == headsign.English) return i;
        }
        if (_headsigns.Count == Timetable.MaxDistinct) throw DocumentReader.Rejection(path, "more than " + Timetable.MaxDistinct.ToString() + " different headsigns");
        return _headsigns.Add(headsign);
    }

    /// <summary>Insertion sort by time, stable so equal times keep document order (once, at load).</summary>
    private void SortByTime()
    {
        long[] at = _at!;
        byte[] route = _route!;
        byte[] headsign = _headsign!;
        for (int i = 1; i < _count; i++)
        {
            long t = at[i];
            byte r = route[i];
            byte h = headsign[i];
            int j = i - 1;
            while (j >= 0 && at[j] > t)
            {
                at[j + 1] = at[j];
                route[j + 1] = route[j];
                headsign[j + 1] = headsign[j];
                j--;
            }
            at[j + 1] = t;
            route[j + 1] = r;
            headsign[j + 1] = h;
        }
    }
}
