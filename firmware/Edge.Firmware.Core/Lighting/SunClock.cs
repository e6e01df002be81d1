using System;
using Edge.Firmware.Time;

namespace Edge.Firmware.Lighting;

/// <summary>Whether the sun rises and sets on a given solar day at a given place.</summary>
public enum SunDayKind
{
    /// <summary>
    /// The sun crosses the horizon. Usually it both rises and sets; only on the one or two transition
    /// days into or out of the midnight-sun season does one of the two events fall outside the solar
    /// day — see <see cref="SunTimes.HasSunrise"/> and <see cref="SunTimes.HasSunset"/>.
    /// </summary>
    Normal = 0,
    /// <summary>The sun stays below the horizon all day (polar night): no sunrise, no sunset.</summary>
    PolarNight = 1,
    /// <summary>The sun stays above the horizon all day (midnight sun): no sunrise, no sunset.</summary>
    MidnightSun = 2,
}

/// <summary>
/// The sun's events for one solar day at one place, filled in by <see cref="SunClock"/>. A solar day
/// runs from the solar midnight before the date's local solar noon to the solar midnight after it.
/// All instants are seconds since the Unix epoch, UTC, rounded to the nearest second.
/// </summary>
/// <remarks>
/// <see cref="SunriseUtc"/> and <see cref="SunsetUtc"/> always hold a usable instant, so a schedule
/// that keys on them stays sensible on every day. When <see cref="HasSunrise"/> (or
/// <see cref="HasSunset"/>) is false there is no such event and the field holds a stand-in:
/// <list type="bullet">
/// <item>the sun is already up at the start of the solar day: sunrise = <see cref="SolarMidnightStartUtc"/>;</item>
/// <item>the sun is still up at the end of the solar day: sunset = <see cref="SolarMidnightEndUtc"/>;</item>
/// <item>polar night (the sun never comes up): sunrise = sunset = <see cref="SolarNoonUtc"/>, a day of zero length.</item>
/// </list>
/// So "dark" is always [start, sunrise) ∪ [sunset, end) and "light" is [sunrise, sunset).
/// </remarks>
public sealed class SunTimes
{
    public SunDayKind Kind;
    /// <summary>True when the sun really rises (upper limb, refraction included: zenith 90.833°) in this solar day.</summary>
    public bool HasSunrise;
    /// <summary>True when the sun really sets in this solar day.</summary>
    public bool HasSunset;
    /// <summary>Official sunrise (zenith 90.833°), or its stand-in when <see cref="HasSunrise"/> is false.</summary>
    public long SunriseUtc;
    /// <summary>Official sunset (zenith 90.833°), or its stand-in when <see cref="HasSunset"/> is false.</summary>
    public long SunsetUtc;
    /// <summary>Solar noon (sun on the meridian, at its highest), always valid.</summary>
    public long SolarNoonUtc;
    /// <summary>Solar midnight that starts this solar day (sun on the anti-meridian), always valid.</summary>
    public long SolarMidnightStartUtc;
    /// <summary>Solar midnight that ends this solar day, always valid.</summary>
    public long SolarMidnightEndUtc;
}

/// <summary>
/// Official sunrise and sunset computed on the node, with no network and no tables.
/// </summary>
/// <remarks>
/// The sun's position is the NOAA / Meeus low-precision solar theory (Julian centuries since J2000:
/// mean longitude and anomaly, equation of centre, nutation and aberration in longitude, true
/// obliquity), giving declination and the equation of time. Sunrise is the instant the sun's centre is
/// at zenith 90.833° (34′ of standard refraction plus a 16′ semidiameter: the upper limb touches the
/// horizon). Each event is found by iterating the hour-angle equation with the sun's position taken
/// at the event itself, not at noon, which keeps it accurate at high latitudes where the declination
/// drift over half a day matters. Whether an event exists is decided first from the sun's altitude at
/// the two solar midnights and at noon (altitude climbs monotonically from midnight to noon and falls
/// after it), so polar days are classified, never guessed. Valid for years 1901–2099 (the range of the
/// series); uses <c>double</c> because it runs once a day, and allocates nothing.
/// </remarks>
public static class SunClock
{
    /// <summary>Solar zenith angle of official sunrise and sunset, degrees.</summary>
    public const double OfficialZenithDegrees = 90.833;
    public const int MinYear = 1901;
    public const int MaxYear = 2099;

    // TT − UT (ΔT), seconds: the series is in dynamical time, instants are UTC. About 69 s over
    // 2015–2030; an error of a minute in ΔT moves sunrise by well under a second.
    private const double DeltaTSeconds = 69.0;
    private const double DegToRad = Math.PI / 180.0;
    private const double RadToDeg = 180.0 / Math.PI;
    // Stop iterating when an event moves less than this, seconds.
    private const double ConvergedSeconds = 0.05;
    private const int MaxIterations = 12;

    /// <summary>
    /// Computes the sun's events of the solar day centred on local solar noon of the given date at the
    /// given longitude (east positive). Allocates nothing. Throws ArgumentOutOfRangeException on
    /// latitude outside ±90°, longitude outside ±180°, a date that does not exist, or a year outside
    /// <see cref="MinYear"/>..<see cref="MaxYear"/>.
    /// </summary>
    public static void Compute(double latitude, double longitude, int year, int month, int day, SunTimes result)
    {
        if (result == null)
        {
            throw new ArgumentNullException("result");
        }
        if (!(latitude >= -90.0 && latitude <= 90.0))
        {
            throw new ArgumentOutOfRangeException("latitude", "latitude " + latitude.ToString() + " is out of range -90..90 degrees");
        }
        if (!(longitude >= -180.0 && longitude <= 180.0))
        {
            throw new ArgumentOutOfRangeException("longitude", "longitude " + longitude.ToString() + " is out of range -180..180 degrees");
        }
        if (year < MinYear || year > MaxYear)
        {
            throw new ArgumentOutOfRangeException("year", "year " + year.ToString() + " is out of range 1901..2099");
        }
        if (month < 1 || month > 12 || day < 1 || day > CivilTime.DaysInMonth(year, month))
        {
            throw new ArgumentOutOfRangeException("day", "date " + year.ToString() + "-" + month.ToString() + "-" + day.ToString() + " does not exist");
        }

        double midnightUtc = CivilTime.DaysFromCivil(year, month, day) * (double)CivilTime.SecondsPerDay;
        double sinLat = Math.Sin(latitude * DegToRad);
        double cosLat = Math.Cos(latitude * DegToRad);
        double sinH0 = Math.Sin((90.0 - OfficialZenithDegrees) * DegToRad);

        // Solar noon and the two solar midnights: hour angle 0, −180° and +180°.
        double noon = InstantOfHourAngle(midnightUtc, longitude, 0.0);
        double start = InstantOfHourAngle(midnightUtc, longitude, -180.0);
        double end = InstantOfHourAngle(midnightUtc, longitude, 180.0);

        double sinAltNoon = SinAltitude(noon, midnightUtc, longitude, sinLat, cosLat);
        double sinAltStart = SinAltitude(start, midnightUtc, longitude, sinLat, cosLat);
        double sinAltEnd = SinAltitude(end, midnightUtc, longitude, sinLat, cosLat);

        bool upAtNoon = sinAltNoon >= sinH0;
        bool hasSunrise = upAtNoon && sinAltStart < sinH0;
        bool hasSunset = upAtNoon && sinAltEnd < sinH0;

        result.SolarNoonUtc = RoundToSecond(noon);
        result.SolarMidnightStartUtc = RoundToSecond(start);
        result.SolarMidnightEndUtc = RoundToSecond(end);
        result.HasSunrise = hasSunrise;
        result.HasSunset = hasSunset;

        if (!upAtNoon)
        {
            result.Kind = SunDayKind.PolarNight;
            result.SunriseUtc = result.SolarNoonUtc;
            result.SunsetUtc = result.SolarNoonUtc;
            return;
        }

        result.Kind = hasSunrise || hasSunset ? SunDayKind.Normal : SunDayKind.MidnightSun;
        result.SunriseUtc = hasSunrise
            ? RoundToSecond(FindEvent(midnightUtc, longitude, sinLat, cosLat, sinH0, -1.0, noon, start, noon))
            : result.SolarMidnightStartUtc;
        result.SunsetUtc = hasSunset
            ? RoundToSecond(FindEvent(midnightUtc, longitude, sinLat, cosLat, sinH0, 1.0, noon, noon, end))
            : result.SolarMidnightEndUtc;
    }

    /// <summary>
    /// Iterates t = instant where the hour angle is ∓H(t), H(t) being the hour angle at which the sun
    /// reaches the official altitude given its declination at t. The caller has established that the
    /// event lies in [lowest, highest]; clamping the cosine keeps every step inside that half-day.
    /// </summary>
    private static double FindEvent(double midnightUtc, double longitude, double sinLat, double cosLat,
        double sinH0, double sign, double noon, double lowest, double highest)
    {
        double t = noon + sign * 6.0 * 3600.0;
        for (int i = 0; i < MaxIterations; i++)
        {
            double declination;
            double equationOfTime;
            SolarPosition(t, out declination, out equationOfTime);
            double cosDecl = Math.Cos(declination * DegToRad);
            double denominator = cosLat * cosDecl;
            double cosH = denominator == 0.0
                ? 1.0
                : (sinH0 - sinLat * Math.Sin(declination * DegToRad)) / denominator;
            if (cosH > 1.0)
            {
                cosH = 1.0;
            }
            else if (cosH < -1.0)
            {
                cosH = -1.0;
            }
            double hourAngle = sign * Math.Acos(cosH) * RadToDeg;
            double next = midnightUtc + (180.0 + hourAngle - longitude - equationOfTime) * 240.0;
            if (next < lowest)
            {
                next = lowest;
            }
            else if (next > highest)
            {
                next = highest;
            }
            double step = next - t;
            t = next;
            if (step < ConvergedSeconds && step > -ConvergedSeconds)
            {
                break;
            }
        }
        return t;
    }

    /// <summary>
    /// The UTC instant near the given date at which the sun's local hour angle equals
    /// <paramref name="hourAngle"/> degrees (0 = solar noon, ±180 = solar midnights).
    /// </summary>
    private static double InstantOfHourAngle(double midnightUtc, double longitude, double hourAngle)
    {
        // Local hour angle = (t − midnight)/240 + E + λ − 180 (degrees), E the equation of time.
        double t = midnightUtc + (180.0 + hourAngle - longitude) * 240.0;
        for (int i = 0; i < 4; i++)
        {
            double declination;
            double equationOfTime;
            SolarPosition(t, out declination, out equationOfTime);
            t = midnightUtc + (180.0 + hourAngle - longitude - equationOfTime) * 240.0;
        }
        return t;
    }

    private static double SinAltitude(double t, double midnightUtc, double longitude, double sinLat, double cosLat)
    {
        double declination;
        double equationOfTime;
        SolarPosition(t, out declination, out equationOfTime);
        double hourAngle = (t - midnightUtc) / 240.0 + equationOfTime + longitude - 180.0;
        double decl = declination * DegToRad;
        return sinLat * Math.Sin(decl) + cosLat * Math.Cos(decl) * Math.Cos(hourAngle * DegToRad);
    }

    /// <summary>
    /// Apparent declination of the sun and the equation of time (apparent minus mean solar time), both
    /// in degrees, at a UTC instant (seconds since the Unix epoch).
    /// </summary>
    private static void SolarPosition(double utcSeconds, out double declination, out double equationOfTime)
    {
        double julianDay = 2440587.5 + (utcSeconds + DeltaTSeconds) / 86400.0;
        double t = (julianDay - 2451545.0) / 36525.0; // Julian centuries since J2000.0 (TT)

        double meanLongitude = Normalize(280.46646 + t * (36000.76983 + t * 0.0003032));
        double meanAnomaly = (357.52911 + t * (35999.05029 - t * 0.0001537)) * DegToRad;
        double centre = Math.Sin(meanAnomaly) * (1.914602 - t * (0.004817 + t * 0.000014))
            + Math.Sin(2.0 * meanAnomaly) * (0.019993 - t * 0.000101)
            + Math.Sin(3.0 * meanAnomaly) * 0.000289;
        double trueLongitude = meanLongitude + centre;

        // Nutation in longitude (main term) and aberration give the apparent longitude.
        double omega = (125.04 - 1934.136 * t) * DegToRad;
        double nutationInLongitude = -0.00478 * Math.Sin(omega);
        double apparentLongitude = (trueLongitude - 0.00569 + nutationInLongitude) * DegToRad;

        double meanObliquity = 23.0 + (26.0 + (21.448 - t * (46.815 + t * (0.00059 - t * 0.001813))) / 60.0) / 60.0;
        double obliquity = (meanObliquity + 0.00256 * Math.Cos(omega)) * DegToRad;

        double sinLambda = Math.Sin(apparentLongitude);
        declination = Math.Asin(Math.Sin(obliquity) * sinLambda) * RadToDeg;
        double rightAscension = Math.Atan2(Math.Cos(obliquity) * sinLambda, Math.Cos(apparentLongitude)) * RadToDeg;

        // Meeus (28.3): E = L0 − 0.0057183° − α + Δψ·cos ε, reduced to ±180°.
        double e = meanLongitude - 0.0057183 - rightAscension + nutationInLongitude * Math.Cos(obliquity);
        equationOfTime = Normalize(e + 180.0) - 180.0;
    }

    /// <summary>Reduces an angle to 0..360 degrees.</summary>
    private static double Normalize(double degrees)
    {
        return degrees - 360.0 * Math.Floor(degrees / 360.0);
    }

    private static long RoundToSecond(double seconds)
    {
        return (long)Math.Floor(seconds + 0.5);
    }
}
