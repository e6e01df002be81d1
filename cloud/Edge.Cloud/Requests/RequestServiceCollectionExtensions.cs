using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Edge.Cloud.Requests;

public static class RequestServiceCollectionExtensions
{
    public static IServiceCollection AddEdgeRequests(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(RequestOptions.Section);
        services.Configure<RequestOptions>(section);
        var proxies = section.Get<RequestOptions>()?.KnownProxies ?? new();
        services.Configure<ForwardedHeadersOptions>(o =>
        {
            // Loopback stays trusted (the framework's default): a reverse proxy on the same host.
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            foreach (var proxy in proxies) o.KnownProxies.Add(IPAddress.Parse(proxy));
        });
        return services;
    }

    /// <summary>First in the pipeline: later middleware sees the client's address and scheme.</summary>
    public static IApplicationBuilder UseEdgeRequests(this IApplicationBuilder app) => app.UseForwardedHeaders();
}
