using System;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;

using Edge.Cloud.Web.Public;
using Microsoft.Extensions.Options;

namespace Edge.Cloud.Web.Hosting;

/// <summary>
/// Headers on every console page: a Content-Security-Policy that allows scripts, styles and images from this
/// origin only (no inline script: an injected <c>&lt;script&gt;</c> would not run even if encoding failed),
/// no framing, no MIME sniffing. The API and its docs (<c>/api/…</c>) keep their own answers.
/// </summary>
public sealed class SecurityHeaders(RequestDelegate next, IOptions<ConsoleOptions> options)
{
    /// <summary>The map's tile server (<see cref="ConsoleOptions.MapTileUrl"/>), the one other origin images may come from.</summary>
    private readonly string? _tiles = MapTiles.Origin(options.Value.MapTileUrl);

    public static string PolicyFor(string? tileOrigin) =>
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:" + (tileOrigin is null ? "" : " " + tileOrigin) +
        "; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    public Task InvokeAsync(HttpContext context)
    {
        if (!context.Request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase))
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = PolicyFor(_tiles);
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            // A tile server may ask where its tiles are shown (OpenStreetMap's tile usage policy does): it gets this
            // site's origin, never a page's path.
            headers["Referrer-Policy"] = _tiles is null ? "same-origin" : "strict-origin-when-cross-origin";
        }
        return next(context);
    }
}
