using System.Globalization;
using System.Text;
using Edge.Cloud.Settings;
using Edge.Cloud.Users;
using Edge.Cloud.Web.Localization;
using Edge.Cloud.Web.Technicians;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace Edge.Cloud.Web.Hosting;

/// <summary><c>GET /energy.csv?month=yyyy-MM&amp;watts=…</c>: the energy report's table as CSV, for the same roles as the page.</summary>
public static class EnergyCsv
{
    public static IEndpointRouteBuilder MapEnergyCsv(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/energy.csv", async (HttpContext context, ConsoleAccess access, EnergyReports reports, SiteClock clock,
            IOptions<ConsoleOptions> options, SiteSettingsService settings, string? month, double? watts) =>
        {
            if (!ConsoleAccess.IsSignedIn(context.User)) return Results.LocalRedirect(ConsoleAccess.SignInUrl("/energy" + context.Request.QueryString));
            if (!await access.MayAsync(context.User, Policies.Technician)) return Results.StatusCode(StatusCodes.Status403Forbidden);
            var time = await clock.ForAsync(null, context.RequestAborted);
            var (year, m) = EnergyReports.MonthOf(month, time);
            var report = await reports.BuildAsync(year, m, EnergyReports.WattsOf(watts, options.Value), time.Zone, context.RequestAborted);
            var figures = await settings.GetAsync(context.RequestAborted);
            var name = string.Create(CultureInfo.InvariantCulture, $"energy-{year:0000}-{m:00}.csv");
            return Results.File(Encoding.UTF8.GetBytes(EnergyReports.Csv(report, figures.PricePerKWh, figures.KgCo2PerKWh)), "text/csv; charset=utf-8", name);
        }).AllowAnonymous().ExcludeFromDescription();
        return endpoints;
    }
}
