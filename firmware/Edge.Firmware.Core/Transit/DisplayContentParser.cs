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

    // A sign keeps its previous content rather than show half of a broken one: stop at the first problem.
    private readonly DocumentReader _r = new DocumentReader(1) { StopAtFirstError = true, NameWhatWasFound = true };

    public DisplayContent Parse(byte[] utf8) { return Parse(utf8, 0, utf8.Length); }

    public DisplayContent Parse(byte[] utf8, int offset, int count)
    {
        try
        {
            return Read(utf8, offset, count);
        }
        finally
        {
            _r.Release();
        }
    }

    private DisplayContent Read(byte[] utf8, int offset, int count)
    {
        _r.Reset(utf8, offset, count);
        int seen = 0;
        long version = 0, generatedAt = 0, validUntil = 0;
        int utcOffset = 0;
        BilingualText? stopName = null;
        Arrival[] arrivals = new Arrival[0];
        BilingualText[] notices = new BilingualText[0];
        EmergencyBanner? banner = null;

        _r.Enter(JsonToken.StartObject, "", "an object");
        while (_r.NextProperty())
        {
            if (_r.Is("schema"))
            {
                seen = _r.Once(seen, FSchema, "schema");
                long schema = _r.Whole("schema", 0, int.MaxValue, 0);
                if (schema != SchemaVersion) throw DocumentReader.Rejection("schema", "version " + schema.ToString() + " is not supported (this node reads " + SchemaVersion.ToString() + ")");
            }
            else if (_r.Is("version")) { seen = _r.Once(seen, FVersion, "version"); version = _r.Whole("version", 0, long.MaxValue, 0); }
            else if (_r.Is("generatedAt")) { seen = _r.Once(seen, FGenerated, "generatedAt"); generatedAt = _r.Instant("generatedAt"); }
            else if (_r.Is("validUntil")) { seen = _r.Once(seen, FValid, "validUntil"); validUntil = _r.Instant("validUntil"); }
            else if (_r.Is("utcOffset")) { seen = _r.Once(seen, FOffset, "utcOffset"); utcOffset = _r.UtcOffset("utcOffset"); }
            else if (_r.Is("stop")) { seen = _r.Once(seen, FStop, "stop"); stopName = ReadStop("stop", _r); }
            else if (_r.Is("arrivals")) { seen = _r.Once(seen, FArrivals, "arrivals"); arrivals = ReadArrivals(); }
            else if (_r.Is("notices")) { seen = _r.Once(seen, FNotices, "notices"); notices = ReadNotices(); }
            else if (_r.Is("banner"))
            {
                seen = _r.Once(seen, FBanner, "banner");
                banner = ReadBanner();
            }
            else _r.UnknownProperty("");
        }
        _r.Json.Read(); // nothing may follow the root

        _r.Require(seen, FSchema, "schema");
        _r.Require(seen, FVersion, "version");
        _r.Require(seen, FGenerated, "generatedAt");
        _r.Require(seen, FValid, "validUntil");
        _r.Require(seen, FOffset, "utcOffset");
        _r.Require(seen, FStop, "stop");
        _r.Require(seen, FArrivals, "arrivals");
        if (validUntil <= generatedAt) throw DocumentReader.Rejection("validUntil", "must be later than generatedAt");
        return new DisplayContent(version, generatedAt, validUntil, utcOffset, stopName!, arrivals, notices, banner);
    }

    /// <summary><c>{"name": {"el","en"}}</c>, with an optional <c>id</c> (shared with the timetable).</summary>
    internal static BilingualText ReadStop(string path, DocumentReader r)
    {
        BilingualText? name = null;
        bool haveId = false;
        r.Enter(JsonToken.StartObject, path, "an object");
        while (r.NextProperty())
        {
            if (r.Is("name"))
            {
                if (name != null) throw DocumentReader.Rejection(DocumentReader.Child(path, "name"), "appears twice");
                name = ReadBilingual(r, DocumentReader.Child(path, "name"), MaxTextLength);
            }
            else if (r.Is("id"))
            {
                if (haveId) throw DocumentReader.Rejection(DocumentReader.Child(path, "id"), "appears twice");
                r.Label(DocumentReader.Child(path, "id"), 64);
                haveId = true;
            }
            else r.UnknownProperty(path);
        }
        if (name == null) throw DocumentReader.Rejection(DocumentReader.Child(path, "name"), "is required");
        return name;
    }

    /// <summary>
    /// An object <c>{"el": "...", "en": "..."}</c>; both languages are required. For a reader that stops
    /// at the first problem (as both transit parsers do).
    /// </summary>
    internal static BilingualText ReadBilingual(DocumentReader r, string path, int maxLength)
    {
        r.Enter(JsonToken.StartObject, path, "an object");
        string? el = null;
        string? en = null;
        while (r.NextProperty())
        {
            if (r.Is("el"))
            {
                if (el != null) throw DocumentReader.Rejection(DocumentReader.Child(path, "el"), "appears twice");
                el = r.Label(DocumentReader.Child(path, "el"), maxLength);
            }
            else if (r.Is("en"))
            {
                if (en != null) throw DocumentReader.Rejection(DocumentReader.Child(path, "en"), "appears twice");
                en = r.Label(DocumentReader.Child(path, "en"), maxLength);
            }
            else r.UnknownProperty(path);
        }
        if (el == null) throw DocumentReader.Rejection(DocumentReader.Child(path, "el"), "is required (Greek text)");
        if (en == null) throw DocumentReader.Rejection(DocumentReader.Child(path, "en"), "is required (English text)");
        return new BilingualText(el, en);
    }

    private Arrival[] ReadArrivals()
    {
        var list = new ArrayList();
        _r.Enter(JsonToken.StartArray, "arrivals", "an array");
        long previous = long.MinValue;
        while (_r.NextElement())
        {
            string path = DocumentReader.Index("arrivals", list.Count);
            if (list.Count == DisplayContent.MaxArrivals) throw DocumentReader.Rejection("arrivals", "more than " + DisplayContent.MaxArrivals.ToString() + " arrivals");
            if (_r.Json.Token != JsonToken.StartObject) throw DocumentReader.Rejection(path, "expected an object");
            string? route = null;
            BilingualText? headsign = null;
            long at = 0;
            bool realtime = false, cancelled = false;
            int seen = 0;
            while (_r.NextProperty())
            {
                if (_r.Is("route")) { seen = _r.Once(seen, 1, DocumentReader.Child(path, "route")); route = _r.Label(DocumentReader.Child(path, "route"), MaxRouteLength); }
                else if (_r.Is("headsign")) { seen = _r.Once(seen, 2, DocumentReader.Child(path, "headsign")); headsign = ReadBilingual(_r, DocumentReader.Child(path, "headsign"), MaxTextLength); }
                else if (_r.Is("at")) { seen = _r.Once(seen, 4, DocumentReader.Child(path, "at")); at = _r.Instant(DocumentReader.Child(path, "at")); }
                else if (_r.Is("realtime")) { seen = _r.Once(seen, 8, DocumentReader.Child(path, "realtime")); realtime = _r.Boolean(DocumentReader.Child(path, "realtime"), false); }
                else if (_r.Is("cancelled")) { seen = _r.Once(seen, 16, DocumentReader.Child(path, "cancelled")); cancelled = _r.Boolean(DocumentReader.Child(path, "cancelled"), false); }
                else _r.UnknownProperty(path);
            }
            _r.Require(seen, 1, DocumentReader.Child(path, "route"));
            _r.Require(seen, 2, DocumentReader.Child(path, "headsign"));
            _r.Require(seen, 4, DocumentReader.Child(path, "at"));
            _r.Require(seen, 8, DocumentReader.Child(path, "realtime"));
            if (at < previous) throw DocumentReader.Rejection(DocumentReader.Child(path, "at"), "arrivals must be in time order (this one is earlier than the one before)");
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
        _r.Enter(JsonToken.StartArray, "notices", "an array");
        while (_r.NextElement())
        {
            string path = DocumentReader.Index("notices", list.Count);
            if (list.Count == DisplayContent.MaxNotices) throw DocumentReader.Rejection("notices", "more than " + DisplayContent.MaxNotices.ToString() + " notices");
            if (_r.Json.Token != JsonToken.StartObject) throw DocumentReader.Rejection(path, "expected an object {\"el\", \"en\"}");
            string? el = null, en = null;
            while (_r.NextProperty())
            {
                if (_r.Is("el") && el == null) el = _r.Label(DocumentReader.Child(path, "el"), MaxTextLength);
                else if (_r.Is("en") && en == null) en = _r.Label(DocumentReader.Child(path, "en"), MaxTextLength);
                else if (_r.Is("el") || _r.Is("en")) throw DocumentReader.Rejection(DocumentReader.Child(path, _r.Json.GetString()), "appears twice");
                else _r.UnknownProperty(path);
            }
            if (el == null) throw DocumentReader.Rejection(DocumentReader.Child(path, "el"), "is required (Greek text)");
            if (en == null) throw DocumentReader.Rejection(DocumentReader.Child(path, "en"), "is required (English text)");
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
        if (_r.Json.Token != JsonToken.StartObject) throw DocumentReader.Rejection("banner", "expected an object or null");
        BilingualText? title = null, text = null;
        while (_r.NextProperty())
        {
            if (_r.Is("title") && title == null) title = ReadBilingual(_r, "banner.title", 60);
            else if (_r.Is("text") && text == null) text = ReadBilingual(_r, "banner.text", MaxBannerTextLength);
            else if (_r.Is("title") || _r.Is("text")) throw DocumentReader.Rejection("banner." + _r.Json.GetString(), "appears twice");
            else _r.UnknownProperty("banner");
        }
        if (title == null) throw DocumentReader.Rejection("banner.title", "is required");
        if (text == null) throw DocumentReader.Rejection("banner.text", "is required");
        return new EmergencyBanner(title, text);
    }
}
