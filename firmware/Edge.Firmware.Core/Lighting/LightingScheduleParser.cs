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
    private static readonly string[] CurveNames = { "linear", "logarithmic" };     // DimmingCurve's order
    private static readonly string[] TriggerNames = { "time", "sunset", "sunrise", "virtualMidnight" }; // SwitchTrigger's order

    // Every problem is collected; "60.0" counts as a whole number, as it always has for schedules.
    private readonly DocumentReader _r = new DocumentReader(int.MaxValue) { WholeNumbersByValue = true };

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
        try
        {
            return ReadSchedule(utf8, offset, count);
        }
        finally
        {
            _r.Release(); // a parser kept by ConfigDecoder must not keep the config payload reachable
        }
    }

    private LightingSchedule ReadSchedule(byte[] utf8, int offset, int count)
    {
        _r.Reset(utf8, offset, count);
        var schedule = new LightingSchedule();
        var rules = new ArrayList();
        string defaultId = "";
        bool sawSchema = false;
        bool sawCalendar = false;

        // Not Enter: a root that is not an object is rejected without reading (or skipping) any further.
        _r.Json.Read();
        if (_r.Json.Token != JsonToken.StartObject)
        {
            _r.Error("", "expected a JSON object");
            throw Rejected();
        }
        while (_r.NextProperty())
        {
            if (_r.Is("schema"))
            {
                sawSchema = true;
                int schema = (int)_r.Whole("schema", 1, 1000, 1);
                if (schema != SchemaVersion && schema > 0) _r.Error("schema", schema.ToString() + " is not supported (this firmware reads schema " + SchemaVersion.ToString() + ")");
            }
            else if (_r.Is("version"))
            {
                _r.Whole("version", 0, int.MaxValue, 0);
            }
            else if (_r.Is("profiles"))
            {
                schedule.Profiles = ReadProfiles();
            }
            else if (_r.Is("calendar"))
            {
                sawCalendar = true;
                defaultId = ReadCalendar(rules);
            }
            else
            {
                _r.UnknownField("");
            }
        }
        _r.Json.Read(); // end of document: rejects trailing data

        if (!sawSchema) _r.Error("schema", "is required (use " + SchemaVersion.ToString() + ")");
        ResolveCalendar(schedule, rules, defaultId, sawCalendar);
        if (_r.ErrorCount > 0) throw Rejected();
        return schedule;
    }

    // ---- profiles -------------------------------------------------------------------------------

    private DimmingProfile[] ReadProfiles()
    {
        if (!_r.Enter(JsonToken.StartArray, "profiles", "an array of profiles")) return new DimmingProfile[0];
        var list = new ArrayList();
        while (_r.NextElement())
        {
            string path = "profiles[" + list.Count.ToString() + "]";
            list.Add(ReadProfile(path));
        }
        if (list.Count == 0) _r.Error("profiles", "at least one profile is required: there is nothing to schedule");
        if (list.Count > LightingSchedule.MaxProfiles) _r.Error("profiles", list.Count.ToString() + " profiles; at most " + LightingSchedule.MaxProfiles.ToString() + " fit on a node");
        var profiles = new DimmingProfile[list.Count];
        list.CopyTo(profiles);
        for (int i = 0; i < profiles.Length; i++)
        {
            for (int j = 0; j < i; j++)
            {
                if (profiles[i].Id.Length > 0 && profiles[i].Id == profiles[j].Id)
                    _r.Error("profiles[" + i.ToString() + "].id", "\"" + profiles[i].Id + "\" is already used by profiles[" + j.ToString() + "]");
            }
        }
        return profiles;
    }

    private DimmingProfile ReadProfile(string path)
    {
        var profile = new DimmingProfile();
        if (!_r.Expect(JsonToken.StartObject, path, "a profile object")) return profile;
        int defaultFade = 0;
        var points = new ArrayList();
        var pointFades = new ArrayList(); // -1 where the point has no fade of its own
        bool sawPoints = false;
        while (_r.NextProperty())
        {
            if (_r.Is("id"))
            {
                profile.Id = _r.Id(path + ".id", MaxIdLength);
            }
            else if (_r.Is("name"))
            {
                profile.Name = _r.Text(path + ".name", int.MaxValue, "");
            }
            else if (_r.Is("curve"))
            {
                string where = path + ".curve";
                int curve = _r.Choice(where, CurveNames, "\"linear\" or \"logarithmic\"");
                if (curve >= 0) profile.Curve = (DimmingCurve)curve;
                else if (curve == DocumentReader.NotAChoice) _r.Error(where, "\"" + _r.Json.GetString() + "\" is not a curve; use \"linear\" or \"logarithmic\"");
            }
            else if (_r.Is("minLevel"))
            {
                profile.MinLevel = _r.Level(path + ".minLevel");
            }
            else if (_r.Is("fadeSeconds"))
            {
                defaultFade = (int)_r.Whole(path + ".fadeSeconds", 0, MaxFadeSeconds, 0);
            }
            else if (_r.Is("points"))
            {
                sawPoints = true;
                if (!_r.Enter(JsonToken.StartArray, path + ".points", "an array of switch points")) continue;
                while (_r.NextElement())
                {
                    string where = path + ".points[" + points.Count.ToString() + "]";
                    var point = new SwitchPoint();
                    pointFades.Add(ReadPoint(where, point));
                    points.Add(point);
                }
            }
            else
            {
                _r.UnknownField(path);
            }
        }
        if (profile.Id.Length == 0) _r.Error(path + ".id", "is required");
        if (!sawPoints) _r.Error(path + ".points", "is required");
        else if (points.Count == 0) _r.Error(path + ".points", "at least one switch point is required: there is nothing to schedule");
        if (points.Count > LightingSchedule.MaxPointsPerProfile)
            _r.Error(path + ".points", points.Count.ToString() + " switch points; at most " + LightingSchedule.MaxPointsPerProfile.ToString() + " fit on a node");
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
        if (!_r.Expect(JsonToken.StartObject, path, "a switch point object")) return -1;
        bool sawAt = false;
        bool sawLevel = false;
        bool sawTime = false;
        bool sawOffset = false;
        int fade = -1;
        while (_r.NextProperty())
        {
            if (_r.Is("at"))
            {
                sawAt = true;
                string where = path + ".at";
                int trigger = _r.Choice(where, TriggerNames, "a trigger name");
                if (trigger >= 0) point.Trigger = (SwitchTrigger)trigger;
                else if (trigger == DocumentReader.NotAChoice)
                {
                    sawAt = false;
                    _r.Error(where, "unknown trigger \"" + _r.Json.GetString() + "\"; use \"time\", \"sunset\", \"sunrise\" or \"virtualMidnight\"");
                    point.Trigger = (SwitchTrigger)(-1);
                }
            }
            else if (_r.Is("time"))
            {
                sawTime = true;
                point.TimeOfDay = _r.TimeOfDay(path + ".time");
            }
            else if (_r.Is("offsetMinutes"))
            {
                sawOffset = true;
                point.Offset = (int)_r.Whole(path + ".offsetMinutes", -MaxOffsetMinutes, MaxOffsetMinutes, -MaxOffsetMinutes) * 60;
            }
            else if (_r.Is("level"))
            {
                sawLevel = true;
                point.Level = _r.Level(path + ".level");
            }
            else if (_r.Is("fadeSeconds"))
            {
                fade = (int)_r.Whole(path + ".fadeSeconds", 0, MaxFadeSeconds, 0);
            }
            else
            {
                _r.UnknownField(path);
            }
        }
        if (!sawAt && (int)point.Trigger != -1) _r.Error(path + ".at", "is required (\"time\", \"sunset\", \"sunrise\" or \"virtualMidnight\")");
        if (!sawLevel) _r.Error(path + ".level", "is required (0..100)");
        if (sawAt && point.Trigger == SwitchTrigger.FixedTime)
        {
            if (!sawTime) _r.Error(path + ".time", "is required when \"at\" is \"time\" (HH:MM)");
            if (sawOffset) _r.Error(path + ".offsetMinutes", "applies only to sunset, sunrise and virtualMidnight; write the time itself");
        }
        else if (sawAt && sawTime)
        {
            _r.Error(path + ".time", "applies only when \"at\" is \"time\"");
        }
        return fade;
    }

    // ---- calendar -------------------------------------------------------------------------------

    private string ReadCalendar(ArrayList rules)
    {
        string defaultId = "";
        if (!_r.Enter(JsonToken.StartObject, "calendar", "a calendar object")) return defaultId;
        while (_r.NextProperty())
        {
            if (_r.Is("default"))
            {
                defaultId = _r.Id("calendar.default", MaxIdLength);
            }
            else if (_r.Is("rules"))
            {
                if (!_r.Enter(JsonToken.StartArray, "calendar.rules", "an array of rules")) continue;
                while (_r.NextElement())
                {
                    string path = "calendar.rules[" + rules.Count.ToString() + "]";
                    rules.Add(ReadRule(path));
                }
            }
            else
            {
                _r.UnknownField("calendar");
            }
        }
        return defaultId;
    }

    private CalendarRule ReadRule(string path)
    {
        var rule = new CalendarRule();
        if (!_r.Expect(JsonToken.StartObject, path, "a rule object")) return rule;
        bool sawPriority = false;
        bool sawFrom = false;
        bool sawTo = false;
        bool fromAbsolute = false;
        bool toAbsolute = false;
        bool sawWeekdays = false;
        while (_r.NextProperty())
        {
            if (_r.Is("profile"))
            {
                rule.ProfileId = _r.Id(path + ".profile", MaxIdLength);
            }
            else if (_r.Is("priority"))
            {
                sawPriority = true;
                rule.Priority = (int)_r.Whole(path + ".priority", 0, 1000, 0);
            }
            else if (_r.Is("from"))
            {
                sawFrom = ReadDate(path + ".from", out fromAbsolute, out rule.FromYear, out rule.FromMonth, out rule.FromDay);
            }
            else if (_r.Is("to"))
            {
                sawTo = ReadDate(path + ".to", out toAbsolute, out rule.ToYear, out rule.ToMonth, out rule.ToDay);
            }
            else if (_r.Is("weekdays"))
            {
                sawWeekdays = true;
                rule.WeekdayMask = ReadWeekdays(path + ".weekdays");
            }
            else
            {
                _r.UnknownField(path);
            }
        }
        if (rule.ProfileId.Length == 0) _r.Error(path + ".profile", "is required");
        if (!sawPriority) _r.Error(path + ".priority", "is required (0..1000; the highest matching rule wins)");
        if (sawFrom != sawTo) _r.Error(path, "give both \"from\" and \"to\", or neither");
        if (sawFrom && sawTo)
        {
            rule.HasDateRange = true;
            if (fromAbsolute != toAbsolute) _r.Error(path, "\"from\" and \"to\" must both be yearly (MM-DD) or both dated (YYYY-MM-DD)");
            rule.Absolute = fromAbsolute;
            if (fromAbsolute && toAbsolute &&
                rule.FromYear * 10000 + rule.FromMonth * 100 + rule.FromDay > rule.ToYear * 10000 + rule.ToMonth * 100 + rule.ToDay)
                _r.Error(path + ".to", "is before \"from\"");
        }
        if (!sawFrom && !sawTo && !sawWeekdays)
            _r.Error(path, "a rule needs \"from\"/\"to\" or \"weekdays\"; for every night use calendar.default");
        return rule;
    }

    private void ResolveCalendar(LightingSchedule schedule, ArrayList rules, string defaultId, bool sawCalendar)
    {
        if (schedule.Profiles.Length == 0) return;
        if (defaultId.Length == 0)
        {
            if (schedule.Profiles.Length == 1) defaultId = schedule.Profiles[0].Id;
            else _r.Error(sawCalendar ? "calendar.default" : "calendar", "is required when there is more than one profile");
        }
        if (defaultId.Length > 0)
        {
            schedule.DefaultProfileIndex = schedule.IndexOfProfile(defaultId);
            if (schedule.DefaultProfileIndex < 0) _r.Error("calendar.default", "no profile has id \"" + defaultId + "\"");
        }
        if (rules.Count > LightingSchedule.MaxRules)
            _r.Error("calendar.rules", rules.Count.ToString() + " rules; at most " + LightingSchedule.MaxRules.ToString() + " fit on a node");
        schedule.Rules = new CalendarRule[rules.Count];
        rules.CopyTo(schedule.Rules);
        for (int i = 0; i < schedule.Rules.Length; i++)
        {
            var rule = schedule.Rules[i];
            string path = "calendar.rules[" + i.ToString() + "]";
            if (rule.ProfileId.Length > 0)
            {
                rule.ProfileIndex = schedule.IndexOfProfile(rule.ProfileId);
                if (rule.ProfileIndex < 0) _r.Error(path + ".profile", "no profile has id \"" + rule.ProfileId + "\"");
            }
            for (int j = 0; j < i; j++)
            {
                if (schedule.Rules[j].Priority == rule.Priority)
                    _r.Error(path + ".priority", rule.Priority.ToString() + " is already used by calendar.rules[" + j.ToString() + "]; priorities must differ so exactly one rule wins");
            }
        }
    }

    // ---- values ---------------------------------------------------------------------------------

    /// <summary>Reads "MM-DD" (yearly) or "YYYY-MM-DD"; false (with an error) when malformed.</summary>
    private bool ReadDate(string path, out bool absolute, out int year, out int month, out int day)
    {
        absolute = false;
        year = 0;
        month = 1;
        day = 1;
        string text = _r.Text(path, int.MaxValue, "");
        if (_r.Json.Token != JsonToken.String) return false;
        bool ok;
        if (text.Length == 5)
        {
            ok = text[2] == '-' && DocumentReader.TwoDigits(text, 0, out month) && DocumentReader.TwoDigits(text, 3, out day);
            // Yearly ranges accept 02-29: it simply never matches in common years.
            ok = ok && month >= 1 && month <= 12 && day >= 1 && day <= Time.CivilTime.DaysInMonth(2000, month);
        }
        else if (text.Length == 10)
        {
            absolute = true;
            int hi = 0, lo = 0;
            ok = text[4] == '-' && text[7] == '-' && DocumentReader.TwoDigits(text, 0, out hi) && DocumentReader.TwoDigits(text, 2, out lo)
                && DocumentReader.TwoDigits(text, 5, out month) && DocumentReader.TwoDigits(text, 8, out day);
            year = ok ? hi * 100 + lo : 0;
            ok = ok && year >= 1970 && month >= 1 && month <= 12 && day >= 1 && day <= Time.CivilTime.DaysInMonth(year, month);
        }
        else
        {
            ok = false;
        }
        if (!ok) _r.Error(path, "\"" + text + "\" is not a date; use MM-DD (every year) or YYYY-MM-DD");
        return ok;
    }

    private int ReadWeekdays(string path)
    {
        if (!_r.Enter(JsonToken.StartArray, path, "an array of weekdays such as [\"sat\", \"sun\"]")) return CalendarRule.AllWeekdays;
        int mask = 0;
        int index = 0;
        while (_r.NextElement())
        {
            string where = path + "[" + index.ToString() + "]";
            index++;
            int day = _r.CurrentChoice(where, WeekdayNames, "a weekday (mon, tue, wed, thu, fri, sat, sun)");
            if (day == -1) continue;
            if (day == DocumentReader.NotAChoice) _r.Error(where, "\"" + _r.Json.GetString() + "\" is not a weekday; use mon, tue, wed, thu, fri, sat or sun");
            else if ((mask & (1 << day)) != 0) _r.Error(where, "\"" + WeekdayNames[day] + "\" is listed twice");
            else mask |= 1 << day;
        }
        if (index == 0) _r.Error(path, "must list at least one weekday");
        return mask == 0 ? CalendarRule.AllWeekdays : mask;
    }

    private ScheduleFormatException Rejected()
    {
        return new ScheduleFormatException(_r.TakeErrors());
    }
}
