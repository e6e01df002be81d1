using System;
using System.Collections.Generic;
using System.IO;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.StaticWebAssets;
using Microsoft.Extensions.Configuration;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Edge.Cloud.Web.Hosting;

/// <summary>The console's stylesheet and the phone page's geolocation script, embedded in the assembly: nothing to
/// deploy beside them, no CDN.</summary>
public static class ConsoleAssets
{
    public const string StylesheetPath = "/console.css";

    /// <summary>The one script of the console's own (the commissioning page's position): no inline script anywhere.</summary>
    public const string PhoneScriptPath = "/phone.js";

    public static IEndpointRouteBuilder MapConsoleAssets(this IEndpointRouteBuilder endpoints)
    {
        MapAsset(endpoints, StylesheetPath, Read("console.css"), "text/css; charset=utf-8");
        MapAsset(endpoints, PhoneScriptPath, Read("phone.js"), "text/javascript; charset=utf-8");
        return endpoints;
    }

    private static void MapAsset(IEndpointRouteBuilder endpoints, string path, byte[] content, string contentType) =>
        endpoints.MapGet(path, (HttpContext context) =>
        {
            context.Response.Headers.CacheControl = "public, max-age=3600";
            return Results.Bytes(content, contentType);
        }).AllowAnonymous().ExcludeFromDescription();

    private static string Manifest(string kind) => Path.Combine(AppContext.BaseDirectory, $"Edge.Cloud.Web.staticwebassets.{kind}.json");

    /// <summary>
    /// <c>_framework/blazor.web.js</c> ships with ASP.NET Core as a static web asset of this project. The host's
    /// application name is whoever starts the cloud (the demo, a test runner), so the console names its own
    /// manifests: from a build folder the runtime manifest maps the asset to the NuGet cache; a published app
    /// has it copied under wwwroot.
    /// </summary>
    public static void UseFrameworkScripts(WebApplicationBuilder builder)
    {
        if (!File.Exists(Manifest("runtime"))) return;
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { [WebHostDefaults.StaticWebAssetsKey] = Manifest("runtime") });
        StaticWebAssetsLoader.UseStaticWebAssets(builder.Environment, builder.Configuration);
    }

    public static void MapFrameworkScripts(this WebApplication app)
    {
        if (File.Exists(Manifest("endpoints"))) app.MapStaticAssets(Manifest("endpoints"));
    }

    private static byte[] Read(string name)
    {
        using var stream = typeof(ConsoleAssets).Assembly.GetManifestResourceStream(name)
            ?? throw new FileNotFoundException("embedded resource missing", name);
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
