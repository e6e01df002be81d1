using System.Collections;
using Edge.Firmware.Protocol;

namespace Edge.Firmware.Lighting;

/// <summary>
/// Reads and validates a lighting schedule document (docs/dimming-profiles.md). The node, the cloud
/// and the CLI all use this one parser, so a document the cloud accepts is one every node accepts.
/// Every problem is collected with its JSON path; unknown fields are errors too, because a misspelt
/// field silently ignored is a street that stays dark.
/// </summary>
public sealed class LightingScheduleParser
{
    public const int SchemaVersion = 1;
    private const int MaxOffsetMinutes = 720;
    private const int MaxFadeSeconds = 3600;
    private const int MaxIdLength = 32;

    private static readonly string[] WeekdayNames = { "sun", "mon", "tue", "wed", "thu", "fri", "sat" };

    private readonly JsonReader _json = new JsonReader();
    private readonly ArrayList _errors = new ArrayList();

    /// <summary>Parses a UTF-8 document; throws <see cref="JsonFormatException"/> (syntax) or <see cref="ScheduleFormatException"/> (content).</summary>
    public static LightingSchedule Parse(byte[] utf8)
    {
        return new LightingScheduleParser().Read(utf8, 0, utf8.Length);
    }

    public static LightingSchedule Parse(string json)
    {
        return Parse(Utf8.GetBytes(json));
    }

    public LightingSchedule Read(byte[] utf8, int offset, int count)
    {
        _errors.Clear();
        _json.Reset(utf8, offset, count);
        var schedule = new LightingSchedule();
        var rules = new ArrayList();
        string defaultId = "";
        bool sawSchema = false;
        bool sawCalendar = false;

        _json.Read();
        if (_json.Token != JsonToken.StartObject)
        {
            Fail("(document)", "expected a JSON object");
            throw Rejected();
        }
        while (NextProperty())
        {
            if (_json.ValueEquals("schema"))
            {
                _json.Read();
                sawSchema = true;
                int schema = ReadInt("schema", 1, 1000);
                if (schema != SchemaVersion && schema > 0) Fail("schema", schema.ToString() + " is not supported (this firmware reads schema " + SchemaVersion.ToString() + ")");
            }
            else if (_json.ValueEquals("version"))
            {
                _json.Read();
                ReadInt("version", 0, int.MaxValue);
            }
            else if (_json.ValueEquals("profiles"))
            {
                _json.Read();
                schedule.Profiles = ReadProfiles();
            }
            else if (_json.ValueEquals("calendar"))
            {
                _json.Read();
                sawCalendar = true;
                defaultId = ReadCalendar(rules);
            }
            else
            {
                UnknownField("");
            }
        }
        _json.Read(); // end of document: rejects trailing data

        if (!sawSchema) Fail("schema", "is required (use " + SchemaVersion.ToString() + ")");
        ResolveCalendar(schedule, rules, defaultId, sawCalendar);
        if (_errors.Count > 0) throw Rejected();
        return schedule;
    }

    // ---- profiles -------------------------------------------------------------------------------

    private DimmingProfile[] ReadProfiles()
    {
        if (!Expect(JsonToken.StartArray, "profiles", "an array of profiles")) return new DimmingProfile[0];
        var list = new ArrayList();
        while (NextElement())
        {
            string path = "profiles[" + list.Count.ToString() + "]";
            list.Add(ReadProfile(path));
        }
        if (list.Count == 0) Fail("profiles", "at least one profile is required: there is nothing to schedule");
        if (list.Count > LightingSchedule.MaxProfiles) Fail("profiles", list.Count.ToString() + " profiles; at most " + LightingSchedule.MaxProfiles.ToString() + " fit on a node");
        var profiles = new DimmingProfile[list.Count];
        list.CopyTo(profiles);
        for (int i = 0; i < profiles.Length; i++)
        {
            for (int j = 0; j < i; j++)
            {
                if (profiles[i].Id.Length > 0 && profiles[i].Id == profiles[j].Id)
                    Fail("profiles[" + i.ToString() + "].id", "\"" + profiles[i].Id + "\" is already used by profiles[" + j.ToString() + "]");
            }
        }
        return profiles;
    }

    private DimmingProfile ReadProfile(string path)
    {
        var profile = new DimmingProfile();
        if (!Expect(JsonToken.StartObject, path, "a profile object")) return profile;
        int defaultFade = 0;
        var points = new ArrayList();
        var pointFades = new ArrayList(); // -1 where the point has no fade of its own
        bool sawPoints = false;
        while (NextProperty())
        {
            if (_json.ValueEquals("id"))
            {
                _json.Read();
                profile.Id = ReadId(path + ".id");
            }
            else if (_json.ValueEquals("name"))
            {
                _json.Read();
                profile.Name = ReadString(path + ".name");
            }
            else if (_json.ValueEquals("curve"))
            {
                _json.Read();
                string where = path + ".curve";
                if (!Expect(JsonToken.String, where, "\"linear\" or \"logarithmic\"")) continue;
                if (_json.ValueEquals("linear")) profile.Curve = DimmingCurve.Linear;
                else if (_json.ValueEquals("logarithmic")) profile.Curve = DimmingCurve.Logarithmic;
                else Fail(where, "\"" + _json.GetString() + "\" is not a curve; use \"linear\" or \"logarithmic\"");
            }
            else if (_json.ValueEquals("minLevel"))
            {
                _json.Read();
                profile.MinLevel = ReadLevel(path + ".minLevel");
            }
            else if (_json.ValueEquals("fadeSeconds"))
            {
                _json.Read();
                defaultFade = ReadInt(path + ".fadeSeconds", 0, MaxFadeSeconds);
            }
            else if (_json.ValueEquals("points"))
            {
                _json.Read();
                sawPoints = true;
                if (!Expect(JsonToken.StartArray, path + ".points", "an array of switch points")) continue;
                while (NextElement())
                {
                    string where = path + ".points[" + points.Count.ToString() + "]";
                    var point = new SwitchPoint();
                    pointFades.Add(ReadPoint(where, point));
                    points.Add(point);
                }
            }
            else
            {
                UnknownField(path);
            }
        }
        if (profile.Id.Length == 0) Fail(path + ".id", "is required");
        if (!sawPoints) Fail(path + ".points", "is required");
        else if (points.Count == 0) Fail(path + ".points", "at least one switch point is required: there is nothing to schedule");
        if (points.Count > LightingSchedule.MaxPointsPerProfile)
            Fail(path + ".points", points.Count.ToString() + " switch points; at most " + LightingSchedule.MaxPointsPerProfile.ToString() + " fit on a node");
        profile.Points = new SwitchPoint[points.Count];
        points.CopyTo(profile.Points);
        for (int i = 0; i < profile.Points.Length; i++)
        {
            int own = (int)pointFades[i]!;
            profile.Points[i].FadeSeconds = own >= 0 ? own : defaultFade;
        }
        return profile;
    }

    /// <summary>Reads one switch point; returns its own fade time, or -1 when it inherits the profile's.</summary>
    private int ReadPoint(string path, SwitchPoint point)
    {
        if (!Expect(JsonToken.StartObject, path, "a switch point object")) return -1;
        bool sawAt = false;
        bool sawLevel = false;
        bool sawTime = false;
        bool sawOffset = false;
        int fade = -1;
        while (NextProperty())
        {
            if (_json.ValueEquals("at"))
            {
                _json.Read();
                sawAt = true;
                string where = path + ".at";
                if (!Expect(JsonToken.String, where, "a trigger name")) continue;
                if (_json.ValueEquals("time")) point.Trigger = SwitchTrigger.FixedTime;
                else if (_json.ValueEquals("sunset")) point.Trigger = SwitchTrigger.Sunset;
                else if (_json.ValueEquals("sunrise")) point.Trigger = SwitchTrigger.Sunrise;
                else if (_json.ValueEquals("virtualMidnight")) point.Trigger = SwitchTrigger.VirtualMidnight;
                else
                {
                    sawAt = false;
                    Fail(where, "unknown trigger \"" + _json.GetString() + "\"; use \"time\", \"sunset\", \"sunrise\" or \"virtualMidnight\"");
                    point.Trigger = (SwitchTrigger)(-1);
                }
            }
            else if (_json.ValueEquals("time"))
            {
                _json.Read();
                sawTime = true;
                point.TimeOfDay = ReadTimeOfDay(path + ".time");
            }
            else if (_json.ValueEquals("offsetMinutes"))
            {
                _json.Read();
                sawOffset = true;
                point.Offset = ReadInt(path + ".offsetMinutes", -MaxOffsetMinutes, MaxOffsetMinutes) * 60;
            }
            else if (_json.ValueEquals("level"))
            {
                _json.Read();
                sawLevel = true;
                point.Level = ReadLevel(path + ".level");
            }
            else if (_json.ValueEquals("fadeSeconds"))
            {
                _json.Read();
                fade = ReadInt(path + ".fadeSeconds", 0, MaxFadeSeconds);
            }
            else
            {
                UnknownField(path);
            }
        }
        if (!sawAt && (int)point.Trigger != -1) Fail(path + ".at", "is required (\"time\", \"sunset\", \"sunrise\" or \"virtualMidnight\")");
        if (!sawLevel) Fail(path + ".level", "is required (0..100)");
        if (sawAt && point.Trigger == SwitchTrigger.FixedTime)
        {
            if (!sawTime) Fail(path + ".time", "is required when \"at\" is \"time\" (HH:MM)");
            if (sawOffset) Fail(path + ".offsetMinutes", "applies only to sunset, sunrise and virtualMidnight; write the time itself");
        }
        else if (sawAt && sawTime)
        {
            Fail(path + ".time", "applies only when \"at\" is \"time\"");
        }
        return fade;
    }

    // ---- calendar -------------------------------------------------------------------------------

    private string ReadCalendar(ArrayList rules)
    {
        string defaultId = "";
        if (!Expect(JsonToken.StartObject, "calendar", "a calendar object")) return defaultId;
        while (NextProperty())
        {
            if (_json.ValueEquals("default"))
            {
                _json.Read();
                defaultId = ReadId("calendar.default");
            }
            else if (_json.ValueEquals("rules"))
            {
                _json.Read();
                if (!Expect(JsonToken.StartArray, "calendar.rules", "an array of rules")) continue;
                while (NextElement())
                {
                    string path = "calendar.rules[" + rules.Count.ToString() + "]";
                    rules.Add(ReadRule(path));
                }
            }
            else
            {
                UnknownField("calendar");
            }
        }
        return defaultId;
    }

    private CalendarRule ReadRule(string path)
    {
        var rule = new CalendarRule();
        if (!Expect(JsonToken.StartObject, path, "a rule object")) return rule;
        bool sawPriority = false;
        bool sawFrom = false;
        bool sawTo = false;
        bool fromAbsolute = false;
        bool toAbsolute = false;
        bool sawWeekdays = false;
        while (NextProperty())
        {
            if (_json.ValueEquals("profile"))
            {
                _json.Read();
                rule.ProfileId = ReadId(path + ".profile");
            }
            else if (_json.ValueEquals("priority"))
            {
                _json.Read();
                sawPriority = true;
                rule.Priority = ReadInt(path + ".priority", 0, 1000);
            }
            else if (_json.ValueEquals("from"))
            {
                _json.Read();
                sawFrom = ReadDate(path + ".from", out fromAbsolute, out rule.FromYear, out rule.FromMonth, out rule.FromDay);
            }
            else if (_json.ValueEquals("to"))
            {
                _json.Read();
                sawTo = ReadDate(path + ".to", out toAbsolute, out rule.ToYear, out rule.ToMonth, out rule.ToDay);
            }
            else if (_json.ValueEquals("weekdays"))
            {
                _json.Read();
                sawWeekdays = true;
                rule.WeekdayMask = ReadWeekdays(path + ".weekdays");
            }
            else
            {
                UnknownField(path);
            }
        }
        if (rule.ProfileId.Length == 0) Fail(path + ".profile", "is required");
        if (!sawPriority) Fail(path + ".priority", "is required (0..1000; the highest matching rule wins)");
        if (sawFrom != sawTo) Fail(path, "give both \"from\" and \"to\", or neither");
        if (sawFrom && sawTo)
        {
            rule.HasDateRange = true;
            if (fromAbsolute != toAbsolute) Fail(path, "\"from\" and \"to\" must both be yearly (MM-DD) or both dated (YYYY-MM-DD)");
            rule.Absolute = fromAbsolute;
            if (fromAbsolute && toAbsolute &&
                rule.FromYear * 10000 + rule.FromMonth * 100 + rule.FromDay > rule.ToYear * 10000 + rule.ToMonth * 100 + rule.ToDay)
                Fail(path + ".to", "is before \"from\"");
        }
        if (!sawFrom && !sawTo && !sawWeekdays)
            Fail(path, "a rule needs \"from\"/\"to\" or \"weekdays\"; for every night use calendar.default");
        return rule;
    }

    private void ResolveCalendar(LightingSchedule schedule, ArrayList rules, string defaultId, bool sawCalendar)
    {
        if (schedule.Profiles.Length == 0) return;
        if (defaultId.Length == 0)
        {
            if (schedule.Profiles.Length == 1) defaultId = schedule.Profiles[0].Id;
            else Fail(sawCalendar ? "calendar.default" : "calendar", "is required when there is more than one profile");
        }
        if (defaultId.Length > 0)
        {
            schedule.DefaultProfileIndex = schedule.IndexOfProfile(defaultId);
            if (schedule.DefaultProfileIndex < 0) Fail("calendar.default", "no profile has id \"" + defaultId + "\"");
        }
        if (rules.Count > LightingSchedule.MaxRules)
            Fail("calendar.rules", rules.Count.ToString() + " rules; at most " + LightingSchedule.MaxRules.ToString() + " fit on a node");
        schedule.Rules = new CalendarRule[rules.Count];
        rules.CopyTo(schedule.Rules);
        for (int i = 0; i < schedule.Rules.Length; i++)
        {
            var rule = schedule.Rules[i];
            string path = "calendar.rules[" + i.ToString() + "]";
            if (rule.ProfileId.Length > 0)
            {
                rule.ProfileIndex = schedule.IndexOfProfile(rule.ProfileId);
                if (rule.ProfileIndex < 0) Fail(path + ".profile", "no profile has id \"" + rule.ProfileId + "\"");
            }
            for (int j = 0; j < i; j++)
            {
                if (schedule.Rules[j].Priority == rule.Priority)
                    Fail(path + ".priority", rule.Priority.ToString() + " is already used by calendar.rules[" + j.ToString() + "]; priorities must differ so exactly one rule wins");
            }
        }
    }

    // ---- values ---------------------------------------------------------------------------------

    private bool NextProperty()
    {
        _json.Read();
        return _json.Token == JsonToken.PropertyName;
    }

    private bool NextElement()
    {
        _json.Read();
        return _json.Token != JsonToken.EndArray;
    }

    /// <summary>Checks the current token; on mismatch records an error and skips the value.</summary>
    private bool Expect(JsonToken token, string path, string what)
    {
        if (_json.Token == token) return true;
        Fail(path, "expected " + what);
        _json.Skip();
        return false;
    }

    private void UnknownField(string path)
    {
        string name = _json.GetString();
        Fail(path.Length == 0 ? name : path + "." + name, "unknown field");
        _json.Read();
        _json.Skip();
    }

    private int ReadInt(string path, int min, int max)
    {
        if (!Expect(JsonToken.Number, path, "a whole number")) return min;
        double value = _json.GetDouble();
        if (value != (long)value)
        {
            Fail(path, "expected a whole number");
            return min;
        }
        if (value < min || value > max)
        {
            Fail(path, ((long)value).ToString() + " is out of range " + min.ToString() + ".." + max.ToString());
            return min;
        }
        return (int)value;
    }

    private float ReadLevel(string path)
    {
        if (!Expect(JsonToken.Number, path, "a level in percent (0..100)")) return 0;
        double value = _json.GetDouble();
        if (value < 0 || value > 100)
        {
            Fail(path, value.ToString() + " is out of range 0..100");
            return 0;
        }
        return (float)value;
    }

    private string ReadString(string path)
    {
        if (!Expect(JsonToken.String, path, "a string")) return "";
        return _json.GetString();
    }

    private string ReadId(string path)
    {
        string id = ReadString(path);
        if (id.Length > MaxIdLength) Fail(path, "longer than " + MaxIdLength.ToString() + " characters");
        if (id.Length == 0 && _json.Token == JsonToken.String) Fail(path, "must not be empty");
        return id;
    }

    /// <summary>Reads "HH:MM" or "HH:MM:SS" (24-hour local time) as seconds after midnight.</summary>
    private int ReadTimeOfDay(string path)
    {
        string text = ReadString(path);
        if (_json.Token != JsonToken.String) return 0;
        int h = 0, m = 0, s = 0;
        bool ok = (text.Length == 5 || text.Length == 8) && text[2] == ':'
            && TwoDigits(text, 0, out h) && TwoDigits(text, 3, out m)
            && (text.Length == 5 || (text[5] == ':' && TwoDigits(text, 6, out s)));
        if (!ok || h > 23 || m > 59 || s > 59)
        {
            Fail(path, "\"" + text + "\" is not a time of day; use HH:MM (00:00..23:59)");
            return 0;
        }
        return h * 3600 + m * 60 + s;
    }

    /// <summary>Reads "MM-DD" (yearly) or "YYYY-MM-DD"; false (with an error) when malformed.</summary>
    private bool ReadDate(string path, out bool absolute, out int year, out int month, out int day)
    {
        absolute = false;
        year = 0;
        month = 1;
        day = 1;
        string text = ReadString(path);
        if (_json.Token != JsonToken.String) return false;
        bool ok;
        if (text.Length == 5)
        {
            ok = text[2] == '-' && TwoDigits(text, 0, out month) && TwoDigits(text, 3, out day);
            // Yearly ranges accept 02-29: it simply never matches in common years.
            ok = ok && month >= 1 && month <= 12 && day >= 1 && day <= Time.CivilTime.DaysInMonth(2000, month);
        }
        else if (text.Length == 10)
        {
            absolute = true;
            int hi = 0, lo = 0;
            ok = text[4] == '-' && text[7] == '-' && TwoDigits(text, 0, out hi) && TwoDigits(text, 2, out lo)
                && TwoDigits(text, 5, out month) && TwoDigits(text, 8, out day);
            year = ok ? hi * 100 + lo : 0;
            ok = ok && year >= 1970 && month >= 1 && month <= 12 && day >= 1 && day <= Time.CivilTime.DaysInMonth(year, month);
        }
        else
        {
            ok = false;
        }
        if (!ok) Fail(path, "\"" + text + "\" is not a date; use MM-DD (every year) or YYYY-MM-DD");
        return ok;
    }

    private int ReadWeekdays(string path)
    {
        if (!Expect(JsonToken.StartArray, path, "an array of weekdays such as [\"sat\", \"sun\"]")) return CalendarRule.AllWeekdays;
        int mask = 0;
        int index = 0;
        while (NextElement())
        {
            string where = path + "[" + index.ToString() + "]";
            index++;
            if (!Expect(JsonToken.String, where, "a weekday (mon, tue, wed, thu, fri, sat, sun)")) continue;
            int day = -1;
            for (int d = 0; d < WeekdayNames.Length; d++)
            {
                if (_json.ValueEquals(WeekdayNames[d])) day = d;
            }
            if (day < 0) Fail(where, "\"" + _json.GetString() + "\" is not a weekday; use mon, tue, wed, thu, fri, sat or sun");
            else if ((mask & (1 << day)) != 0) Fail(where, "\"" + WeekdayNames[day] + "\" is listed twice");
            else mask |= 1 << day;
        }
        if (index == 0) Fail(path, "must list at least one weekday");
        return mask == 0 ? CalendarRule.AllWeekdays : mask;
    }

    private static bool TwoDigits(string s, int at, out int value)
    {
        value = 0;
        char a = s[at];
        char b = s[at + 1];
        if (a < '0' || a > '9' || b < '0' || b > '9') return false;
        value = (a - '0') * 10 + (b - '0');
        return true;
    }

    private void Fail(string path, string message)
    {
        _errors.Add(path + ": " + message);
    }

    private ScheduleFormatException Rejected()
    {
        var errors = new string[_errors.Count];
        _errors.CopyTo(errors);
        return new ScheduleFormatException(errors);
    }
}
