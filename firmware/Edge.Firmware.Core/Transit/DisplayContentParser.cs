using System.Collections;
using Edge.Firmware.Protocol;

namespace Edge.Firmware.Transit;

/// <summary>
/// Parses and validates the <c>display</c> document (docs/display-content.md). Any invalid field
/// rejects the whole document with a <see cref="JsonFormatException"/> naming its JSON path: a sign
/// keeps its previous content rather than show half of a broken one.
/// </summary>
public sealed class DisplayContentParser
{
    public const int SchemaVersion = 1;
    public const int MaxRouteLength = 6;
    public const int MaxTextLength = 120;
    public const int MaxBannerTextLength = 400;

    private const int FSchema = 1, FVersion = 2, FGenerated = 4, FValid = 8, FOffset = 16, FStop = 32, FArrivals = 64, FNotices = 128, FBanner = 256;

    private readonly DocumentReader _r = new DocumentReader();

    public DisplayContent Parse(byte[] utf8) { return Parse(utf8, 0, utf8.Length); }

    public DisplayContent Parse(byte[] utf8, int offset, int count)
    {
        _r.Reset(utf8, offset, count);
        int seen = 0;
        long version = 0, generatedAt = 0, validUntil = 0;
        int utcOffset = 0;
        BilingualText? stopName = null;
        Arrival[] arrivals = new Arrival[0];
        BilingualText[] notices = new BilingualText[0];
        EmergencyBanner? banner = null;

        _r.StartObject("");
        while (_r.NextProperty())
        {
            if (_r.Is("schema"))
            {
                seen = DocumentReader.Once(seen, FSchema, "schema");
                long schema = _r.Whole("schema", 0, int.MaxValue);
                if (schema != SchemaVersion) throw DocumentReader.Fail("schema", "version " + schema.ToString() + " is not supported (this node reads " + SchemaVersion.ToString() + ")");
            }
            else if (_r.Is("version")) { seen = DocumentReader.Once(seen, FVersion, "version"); version = _r.Whole("version", 0, long.MaxValue); }
            else if (_r.Is("generatedAt")) { seen = DocumentReader.Once(seen, FGenerated, "generatedAt"); generatedAt = _r.Instant("generatedAt"); }
            else if (_r.Is("validUntil")) { seen = DocumentReader.Once(seen, FValid, "validUntil"); validUntil = _r.Instant("validUntil"); }
            else if (_r.Is("utcOffset")) { seen = DocumentReader.Once(seen, FOffset, "utcOffset"); utcOffset = _r.Offset("utcOffset"); }
            else if (_r.Is("stop")) { seen = DocumentReader.Once(seen, FStop, "stop"); stopName = ReadStop("stop", _r); }
            else if (_r.Is("arrivals")) { seen = DocumentReader.Once(seen, FArrivals, "arrivals"); arrivals = ReadArrivals(); }
            else if (_r.Is("notices")) { seen = DocumentReader.Once(seen, FNotices, "notices"); notices = ReadNotices(); }
            else if (_r.Is("banner"))
            {
                seen = DocumentReader.Once(seen, FBanner, "banner");
                banner = ReadBanner();
            }
            else throw _r.Unknown("");
        }
        _r.End();

        DocumentReader.Require(seen, FSchema, "schema");
        DocumentReader.Require(seen, FVersion, "version");
        DocumentReader.Require(seen, FGenerated, "generatedAt");
        DocumentReader.Require(seen, FValid, "validUntil");
        DocumentReader.Require(seen, FOffset, "utcOffset");
        DocumentReader.Require(seen, FStop, "stop");
        DocumentReader.Require(seen, FArrivals, "arrivals");
        if (validUntil <= generatedAt) throw DocumentReader.Fail("validUntil", "must be later than generatedAt");
        return new DisplayContent(version, generatedAt, validUntil, utcOffset, stopName!, arrivals, notices, banner);
    }

    /// <summary><c>{"name": {"el","en"}}</c>, with an optional <c>id</c> (shared with the timetable).</summary>
    internal static BilingualText ReadStop(string path, DocumentReader r)
    {
        BilingualText? name = null;
        bool haveId = false;
        r.StartObject(path);
        while (r.NextProperty())
        {
            if (r.Is("name"))
            {
                if (name != null) throw DocumentReader.Fail(DocumentReader.Child(path, "name"), "appears twice");
                name = r.Bilingual(DocumentReader.Child(path, "name"), MaxTextLength);
            }
            else if (r.Is("id"))
            {
                if (haveId) throw DocumentReader.Fail(DocumentReader.Child(path, "id"), "appears twice");
                r.String(DocumentReader.Child(path, "id"), 64);
                haveId = true;
            }
            else throw r.Unknown(path);
        }
        if (name == null) throw DocumentReader.Fail(DocumentReader.Child(path, "name"), "is required");
        return name;
    }

    private Arrival[] ReadArrivals()
    {
        var list = new ArrayList();
        _r.StartArray("arrivals");
        long previous = long.MinValue;
        while (_r.NextElement())
        {
            string path = DocumentReader.Index("arrivals", list.Count);
            if (list.Count == DisplayContent.MaxArrivals) throw DocumentReader.Fail("arrivals", "more than " + DisplayContent.MaxArrivals.ToString() + " arrivals");
            if (_r.Json.Token != JsonToken.StartObject) throw DocumentReader.Fail(path, "expected an object");
            string? route = null;
            BilingualText? headsign = null;
            long at = 0;
            bool realtime = false, cancelled = false;
            int seen = 0;
            while (_r.NextProperty())
            {
                if (_r.Is("route")) { seen = DocumentReader.Once(seen, 1, DocumentReader.Child(path, "route")); route = _r.String(DocumentReader.Child(path, "route"), MaxRouteLength); }
                else if (_r.Is("headsign")) { seen = DocumentReader.Once(seen, 2, DocumentReader.Child(path, "headsign")); headsign = _r.Bilingual(DocumentReader.Child(path, "headsign"), MaxTextLength); }
                else if (_r.Is("at")) { seen = DocumentReader.Once(seen, 4, DocumentReader.Child(path, "at")); at = _r.Instant(DocumentReader.Child(path, "at")); }
                else if (_r.Is("realtime")) { seen = DocumentReader.Once(seen, 8, DocumentReader.Child(path, "realtime")); realtime = _r.Boolean(DocumentReader.Child(path, "realtime")); }
                else if (_r.Is("cancelled")) { seen = DocumentReader.Once(seen, 16, DocumentReader.Child(path, "cancelled")); cancelled = _r.Boolean(DocumentReader.Child(path, "cancelled")); }
                else throw _r.Unknown(path);
            }
            DocumentReader.Require(seen, 1, DocumentReader.Child(path, "route"));
            DocumentReader.Require(seen, 2, DocumentReader.Child(path, "headsign"));
            DocumentReader.Require(seen, 4, DocumentReader.Child(path, "at"));
            DocumentReader.Require(seen, 8, DocumentReader.Child(path, "realtime"));
            if (at < previous) throw DocumentReader.Fail(DocumentReader.Child(path, "at"), "arrivals must be in time order (this one is earlier than the one before)");
            previous = at;
            list.Add(new Arrival(route!, headsign!, at, realtime, cancelled));
        }
        var result = new Arrival[list.Count];
        for (int i = 0; i < result.Length; i++) result[i] = (Arrival)list[i]!;
        return result;
    }

    private BilingualText[] ReadNotices()
    {
        var list = new ArrayList();
        _r.StartArray("notices");
        while (_r.NextElement())
        {
            string path = DocumentReader.Index("notices", list.Count);
            if (list.Count == DisplayContent.MaxNotices) throw DocumentReader.Fail("notices", "more than " + DisplayContent.MaxNotices.ToString() + " notices");
            if (_r.Json.Token != JsonToken.StartObject) throw DocumentReader.Fail(path, "expected an object {\"el\", \"en\"}");
            string? el = null, en = null;
            while (_r.NextProperty())
            {
                if (_r.Is("el") && el == null) el = _r.String(DocumentReader.Child(path, "el"), MaxTextLength);
                else if (_r.Is("en") && en == null) en = _r.String(DocumentReader.Child(path, "en"), MaxTextLength);
                else if (_r.Is("el") || _r.Is("en")) throw DocumentReader.Fail(DocumentReader.Child(path, _r.Json.GetString()), "appears twice");
                else throw _r.Unknown(path);
            }
            if (el == null) throw DocumentReader.Fail(DocumentReader.Child(path, "el"), "is required (Greek text)");
            if (en == null) throw DocumentReader.Fail(DocumentReader.Child(path, "en"), "is required (English text)");
            list.Add(new BilingualText(el, en));
        }
        var result = new BilingualText[list.Count];
        for (int i = 0; i < result.Length; i++) result[i] = (BilingualText)list[i]!;
        return result;
    }

    /// <summary><c>null</c> (no banner) or <c>{"title": {...}, "text": {...}}</c>.</summary>
    private EmergencyBanner? ReadBanner()
    {
        _r.Json.Read();
        if (_r.Json.Token == JsonToken.Null) return null;
        if (_r.Json.Token != JsonToken.StartObject) throw DocumentReader.Fail("banner", "expected an object or null");
        BilingualText? title = null, text = null;
        while (_r.NextProperty())
        {
            if (_r.Is("title") && title == null) title = _r.Bilingual("banner.title", 60);
            else if (_r.Is("text") && text == null) text = _r.Bilingual("banner.text", MaxBannerTextLength);
            else if (_r.Is("title") || _r.Is("text")) throw DocumentReader.Fail("banner." + _r.Json.GetString(), "appears twice");
            else throw _r.Unknown("banner");
        }
        if (title == null) throw DocumentReader.Fail("banner.title", "is required");
        if (text == null) throw DocumentReader.Fail("banner.text", "is required");
        return new EmergencyBanner(title, text);
    }
}
