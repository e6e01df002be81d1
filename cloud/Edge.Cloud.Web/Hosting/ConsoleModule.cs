using Edge.Cloud.Web.Components;
using Edge.Cloud.Web.Localization;
using Edge.Cloud.Web.Public;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Edge.Cloud.Web.Hosting;

/// <summary>
/// What the console adds to the cloud app: Razor components (static server rendering), request cultures,
/// antiforgery, security headers, its stylesheet and the few form endpoints that are not pages. The API keeps
/// its own paths (<c>/api/…</c>) and answers; the pages live at <c>/</c>.
/// </summary>
public static class ConsoleModule
{
    public static WebApplicationBuilder AddEdgeConsole(this WebApplicationBuilder builder)
    {
        builder.Services.Configure<ConsoleOptions>(builder.Configuration.GetSection(ConsoleOptions.Section));
        // Interactive server rendering only where a page is live (the alarm list); everything else is static.
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddCascadingAuthenticationState();
        ConsoleAssets.UseFrameworkScripts(builder);
        builder.Services.AddLocalization();
        // Greek text as characters, not &#x…; entities (smaller pages, readable source); <, >, &, quotes stay encoded.
        builder.Services.Configure<Microsoft.Extensions.WebEncoders.WebEncoderOptions>(o =>
            o.TextEncoderSettings = new System.Text.Encodings.Web.TextEncoderSettings(System.Text.Unicode.UnicodeRanges.All));
        builder.Services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "edge.antiforgery";
            o.Cookie.SameSite = Microsoft.AspNetCore.Http.SameSiteMode.Strict;
        });
        builder.Services.AddScoped<ConsoleAccess>();
        builder.Services.AddSingleton<SiteClock>();
        builder.Services.AddSingleton<StopBoards>();
        builder.Services.AddSingleton<FloodBoard>();
        builder.Services.AddSingleton<CitizenReports>();
        builder.Services.AddSingleton<Installers.CommissioningPhotos>();
        builder.Services.AddSingleton<Technicians.NodeBoards>();
        builder.Services.AddSingleton<Technicians.ProfileBoards>();
        builder.Services.AddSingleton<Technicians.EnergyReports>();
        builder.Services.AddHostedService<Technicians.EnergyDayKeeper>();
        builder.Services.AddSingleton<Technicians.GatewayBoards>();
        builder.Services.AddSingleton(new Technicians.LiveRefresh(System.TimeProvider.System));
        return builder;
    }

    public static WebApplication MapEdgeConsole(this WebApplication app)
    {
        app.UseMiddleware<SecurityHeaders>();
        app.UseRequestLocalization(ConsoleCultures.Options());
        app.UseAntiforgery();
        app.MapConsoleAssets();
        app.MapFrameworkScripts();
        app.MapConsoleCultures();
        app.MapConsoleSession();
        app.MapEnergyCsv();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        return app;
    }
}

/// <summary><c>Console:</c> configuration of the pages.</summary>
public sealed class ConsoleOptions
{
    public const string Section = "Console";

    /// <summary>The public address printed in stop QR codes (e.g. <c>https://edge.example.gr</c>); when unset the
    /// address the request came in on.</summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>Seconds between refreshes of the public stop and flood pages.</summary>
    public int PublicRefreshSeconds { get; set; } = 30;

    /// <summary>Rated power of one street lamp in W for the energy report's full-power baseline and plausibility check
    /// (the inventory does not record lamp power); 60 W, the luminaire the lamp monitor's defaults are set for.</summary>
    public double LampWatts { get; set; } = 60;

    /// <summary>XYZ raster tiles drawn under the map (<c>{z}/{x}/{y}</c>); empty: no tiles. The CSP's <c>img-src</c>
    /// allows this address's origin. Default: OpenStreetMap's standard tiles (mind their tile usage policy for heavy use).</summary>
    public string? MapTileUrl { get; set; } = "https://tile.openstreetmap.org/{z}/{x}/{y}.png";

    /// <summary>The tiles' attribution, shown under the map whenever tiles are drawn.</summary>
    public string MapTileAttribution { get; set; } = "© OpenStreetMap contributors";

    /// <summary>Where the attribution links to.</summary>
    public string? MapTileAttributionUrl { get; set; } = "https://www.openstreetmap.org/copyright";

    /// <summary>The highest zoom level the tile server has.</summary>
    public int MapTileMaxZoom { get; set; } = 19;
}
