using System;
using System.Collections.Concurrent;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;

namespace Edge.Cloud.Tests.Transit;

/// <summary>
/// An agency's web server on 127.0.0.1 (Kestrel, a free port) publishing <c>/gtfs.zip</c> the way static file
/// servers do: with an ETag and Last-Modified, answering conditional GETs with 304 by ASP.NET Core's own HTTP
/// rules (RFC 9110 §13), not ours. <see cref="Requests"/> records each request's conditional headers.
/// </summary>
public sealed class FeedServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private volatile Published? _published;

    private sealed record Published(byte[] Zip, EntityTagHeaderValue ETag, DateTimeOffset LastModified, int? Status);

    private FeedServer(WebApplication app) => _app = app;

    public string Url { get; private set; } = "";

    public ConcurrentQueue<(string? IfNoneMatch, string? IfModifiedSince)> Requests { get; } = new();

    public static async Task<FeedServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new FeedServer(app);
        app.MapGet("/gtfs.zip", (HttpRequest request) =>
        {
            server.Requests.Enqueue((request.Headers.IfNoneMatch.FirstOrDefault(), request.Headers.IfModifiedSince.FirstOrDefault()));
            var published = server._published;
            if (published is null) return Results.NotFound();
            if (published.Status is { } status) return Results.StatusCode(status);
            return Results.File(published.Zip, "application/zip", lastModified: published.LastModified, entityTag: published.ETag);
        });
        await app.StartAsync();
        server.Url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/gtfs.zip";
        return server;
    }

    /// <summary>Publishes <paramref name="zip"/> as version <paramref name="etag"/>, modified at <paramref name="lastModified"/>.</summary>
    public void Publish(byte[] zip, string etag, DateTimeOffset lastModified) =>
        _published = new Published(zip, new EntityTagHeaderValue("\"" + etag + "\""), lastModified, null);

    /// <summary>The server fails every request with <paramref name="status"/>.</summary>
    public void Fail(int status) => _published = _published! with { Status = status };

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
