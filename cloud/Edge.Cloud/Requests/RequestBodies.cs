using System;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Edge.Cloud.Requests;

/// <summary>Endpoint metadata: this endpoint's body limit, picked from <see cref="RequestOptions"/>.</summary>
public sealed record BodyLimit(Func<RequestOptions, long> Select);

/// <summary>
/// The checks every user-facing <c>/api/v1</c> endpoint applies to a request body before its handler reads
/// it: a per-endpoint size limit (413 as problem details, checked against <c>Content-Length</c> at once and
/// enforced by Kestrel while reading a chunked body) and, for requests without an <c>Authorization</c>
/// header (those a session cookie signs in, and login), <c>application/json</c> only (415): a form on another
/// site can only send <c>application/x-www-form-urlencoded</c>, <c>multipart/form-data</c> or
/// <c>text/plain</c>, so it cannot post to the API with the user's cookie.
/// </summary>
public static class RequestBodies
{
    public static TBuilder WithBodyLimit<TBuilder>(this TBuilder builder, Func<RequestOptions, long> select) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new BodyLimit(select));

    /// <summary>Runs the checks, then <paramref name="next"/>; a (chunked) body that outgrows the limit while the
    /// handler reads it is a 413 too, never a 500.</summary>
    public static async ValueTask<object?> GuardAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var options = http.RequestServices.GetRequiredService<IOptions<RequestOptions>>().Value;
        var limit = http.GetEndpoint()?.Metadata.GetMetadata<BodyLimit>()?.Select(options) ?? options.MaxJsonBytes;
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size) size.MaxRequestBodySize = limit;
        if (http.Request.ContentLength > limit) return TooLarge(http, limit);
        if (RefusedContentType(http.Request) is { } refused) return refused;
        try
        {
            return await next(context);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return TooLarge(http, limit);
        }
    }

    private static IResult TooLarge(HttpContext http, long limit) => Results.Problem(
        statusCode: StatusCodes.Status413PayloadTooLarge,
        title: "Request body too large",
        detail: $"body: {http.Request.Method} {http.Request.Path} takes at most {limit} bytes" +
            (http.Request.ContentLength is { } length ? $"; this one has {length}" : ""));

    private static IResult? RefusedContentType(HttpRequest request)
    {
        if (request.Headers.Authorization.Count > 0) return null;
        var type = request.ContentType;
        var hasBody = request.ContentLength > 0 || request.Headers.TransferEncoding.Count > 0;
        if (type is null && !hasBody) return null;
        if (type is not null && MediaTypeHeaderValue.TryParse(type, out var media) && media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)) return null;
        return Results.Problem(
            statusCode: StatusCodes.Status415UnsupportedMediaType,
            title: "Unsupported content type",
            detail: $"Content-Type '{type ?? "(none)"}' is not accepted: requests signed in with the session cookie (and login) send 'application/json' bodies only");
    }
}
