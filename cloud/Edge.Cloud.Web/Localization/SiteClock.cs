using System;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Edge.Cloud.Desired;
using Edge.Cloud.Inventory;
using Edge.Firmware.Time;

namespace Edge.Cloud.Web.Localization;

/// <summary>Instants shown in the site's own time zone (the site's POSIX TZ rule, the one its nodes run), in the
/// page's culture: a technician in Athens and a server in UTC see the same wall-clock times.</summary>
public sealed class SiteTime(PosixTimeZone zone, long now)
{
    /// <summary>Unix seconds of the moment the page was built (one "now" per page, so every countdown agrees).</summary>
    public long Now { get; } = now;

    public PosixTimeZone Zone { get; } = zone;

    public DateTimeOffset Local(long unixSeconds) =>
        DateTimeOffset.FromUnixTimeSeconds(unixSeconds).ToOffset(TimeSpan.FromSeconds(Zone.OffsetAt(unixSeconds)));

    /// <summary>Hours and minutes, e.g. <c>14:35</c>.</summary>
    public string Clock(long unixSeconds) => Local(unixSeconds).ToString("HH:mm", CultureInfo.CurrentCulture);

    /// <summary>Date and time in the culture's short pattern, with the zone's abbreviation (EET / EEST).</summary>
    public string DateAndTime(long unixSeconds) =>
        Local(unixSeconds).ToString("g", CultureInfo.CurrentCulture) + " " + Zone.AbbreviationAt(unixSeconds);

    /// <summary>The <c>datetime</c> attribute of a <c>&lt;time&gt;</c> element (RFC 3339 with the local offset).</summary>
    public string Iso(long unixSeconds) => Local(unixSeconds).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);
}

/// <summary>Makes the <see cref="SiteTime"/> of a site (or of the only / first site, for pages about the whole town).</summary>
public sealed class SiteClock(InventoryService inventory, TimeProvider time)
{
    public async Task<SiteTime> ForAsync(string? site, CancellationToken ct = default)
    {
        var sites = await inventory.ListSitesAsync(ct);
        var tz = (sites.FirstOrDefault(s => s.Id == site) ?? sites.FirstOrDefault())?.Tz ?? DesiredConfigs.DefaultTz;
        return new SiteTime(PosixTimeZone.Parse(tz), time.GetUtcNow().ToUnixTimeSeconds());
    }
}
