using System;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;

namespace Edge.Cloud.Web.Hosting;

/// <summary>
/// Headers on every console page: a Content-Security-Policy that allows scripts, styles and images from this
/// origin only (no inline script: an injected <c>&lt;script&gt;</c> would not run even if encoding failed),
/// no framing, no MIME sniffing. The API and its docs (<c>/api/…</c>) keep their own answers.
/// </summary>
public sealed class SecurityHeaders(RequestDelegate next)
{
    public const string Policy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    public Task InvokeAsync(HttpContext context)
    {
        if (!context.Request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase))
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = Policy;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "same-origin";
        }
        return next(context);
    }
}
