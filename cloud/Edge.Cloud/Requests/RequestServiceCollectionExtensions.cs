using System.Net;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
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
        services.AddExceptionHandler<BadRequestExceptionHandler>();
        return services;
    }

    /// <summary>First in the pipeline: later middleware sees the client's address and scheme.</summary>
    public static IApplicationBuilder UseEdgeRequests(this IApplicationBuilder app) => app.UseForwardedHeaders();
}

/// <summary>Kestrel's refusals of a request (body over the limit, malformed body) that surface outside the
/// API's own guard keep their status (413, 400…) as problem details instead of becoming a 500.</summary>
internal sealed class BadRequestExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, System.Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException e) return false;
        context.Response.StatusCode = e.StatusCode;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            Exception = exception,
            ProblemDetails = { Status = e.StatusCode, Title = e.StatusCode == StatusCodes.Status413PayloadTooLarge ? "Request body too large" : "Bad request", Detail = e.Message },
        });
    }
}
