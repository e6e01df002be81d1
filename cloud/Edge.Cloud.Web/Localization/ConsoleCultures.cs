using System;
using System.Globalization;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Localization;
using Edge.Cloud.Web.Hosting;
using Microsoft.AspNetCore.Routing;

namespace Edge.Cloud.Web.Localization;

/// <summary>
/// The console's two languages. Greek is the default (the town's language); a user's choice sticks in a cookie
/// (<see cref="CookieRequestCultureProvider"/>) for a year, and a browser that asks for English first gets
/// English until it chooses. Numbers and dates follow the chosen culture.
/// </summary>
public static class ConsoleCultures
{
    public static readonly string[] Supported = { "el", "en" };

    public static RequestLocalizationOptions Options()
    {
        var options = new RequestLocalizationOptions()
            .SetDefaultCulture("el")
            .AddSupportedCultures(Supported)
            .AddSupportedUICultures(Supported);
        options.FallBackToParentUICultures = true;
        // Cookie first (the sticky choice), then the browser's Accept-Language; the query string is not a way in.
        options.RequestCultureProviders = new IRequestCultureProvider[]
        {
            new CookieRequestCultureProvider(),
            new AcceptLanguageHeaderRequestCultureProvider(),
        };
        return options;
    }

    /// <summary>The <c>lang</c> attribute of the current culture (<c>el</c> / <c>en</c>).</summary>
    public static string Lang => CultureInfo.CurrentUICulture.TwoLetterISOLanguageName;

    /// <summary><c>POST /culture</c> (form: <c>culture</c>, <c>returnUrl</c>, antiforgery token): remembers the
    /// choice and goes back to the page it was made on.</summary>
    public static IEndpointRouteBuilder MapConsoleCultures(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/culture", (HttpRequest request) => FormPosts.HandleAsync(request.HttpContext, form => Task.FromResult(Choose(request.HttpContext, form))))
            .AllowAnonymous().ExcludeFromDescription();
        return endpoints;
    }

    private static IResult Choose(HttpContext context, IFormCollection form)
    {
        var culture = form["culture"].ToString();
        if (Array.IndexOf(Supported, culture) < 0) return Results.BadRequest($"culture: one of {string.Join(", ", Supported)}");
        context.Response.Cookies.Append(CookieRequestCultureProvider.DefaultCookieName,
            CookieRequestCultureProvider.MakeCookieValue(new RequestCulture(culture)),
            new CookieOptions { MaxAge = TimeSpan.FromDays(365), SameSite = SameSiteMode.Lax, HttpOnly = true, IsEssential = true, Secure = context.Request.IsHttps });
        return Results.LocalRedirect(LocalUrl.OrHome(form["returnUrl"].ToString()));
    }
}

/// <summary>Return addresses come from forms and query strings: only this site's own paths are followed (no open redirect).</summary>
public static class LocalUrl
{
    public static string OrHome(string? url) =>
        !string.IsNullOrEmpty(url) && url[0] == '/' && (url.Length == 1 || (url[1] != '/' && url[1] != '\\')) ? url : "/";
}
