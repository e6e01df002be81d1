using Edge.Firmware.Time;

namespace Edge.Firmware.Lighting;

/// <summary>
/// A node's whole lighting programme: its profiles and the calendar that picks one for each night.
/// Built only by <see cref="LightingScheduleParser"/>, so every instance is valid.
/// </summary>
public sealed class LightingSchedule
{
    /// <summary>Limits that keep a schedule within a plain ESP32's memory.</summary>
    public const int MaxProfiles = 16;
    public const int MaxPointsPerProfile = 24;
    public const int MaxRules = 32;

    public DimmingProfile[] Profiles = new DimmingProfile[0];
    public CalendarRule[] Rules = new CalendarRule[0];
    public int DefaultProfileIndex;

    /// <summary>Index of the profile for the night whose evening is the given local date.</summary>
    public int ProfileIndexFor(int year, int month, int day)
    {
        int weekday = CivilTime.DayOfWeek(CivilTime.DaysFromCivil(year, month, day));
        int best = -1;
        int bestPriority = int.MinValue;
        for (int i = 0; i < Rules.Length; i++)
        {
            var rule = Rules[i];
            if (rule.Priority > bestPriority && rule.Matches(year, month, day, weekday))
            {
                best = rule.ProfileIndex;
                bestPriority = rule.Priority;
            }
        }
        return best >= 0 ? best : DefaultProfileIndex;
    }

    public int IndexOfProfile(string id)
    {
        for (int i = 0; i < Profiles.Length; i++)
        {
            if (Profiles[i].Id == id) return i;
        }
        return -1;
    }
}
