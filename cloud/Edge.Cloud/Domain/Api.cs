using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading;
using System.Threading.Tasks;
using Edge.Cloud.Requests;
using Edge.Cloud.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Edge.Cloud.Domain;

/// <summary>Shared plumbing of the domain endpoints: one route group per concept that maps
/// <see cref="DomainException"/> to problem details, request body reading with precise JSON errors, and the
/// acting user's name for the audit log.</summary>
public static class Api
{
    public const string Prefix = "/api/v1";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    /// <summary>A group under <c>/api/v1</c> whose handlers may throw <see cref="DomainException"/>, with the body
    /// limit and content-type checks of <see cref="RequestBodies"/> and its problem answers declared for OpenAPI
    /// (<see cref="ApiDocs.ErrorResponses"/>).</summary>
    public static RouteGroupBuilder MapApiGroup(this IEndpointRouteBuilder endpoints, string tag)
    {
        var group = endpoints.MapGroup(Prefix).WithTags(tag);
        ((IEndpointConventionBuilder)group).Finally(ApiDocs.ErrorResponses.Describe);
        group.AddEndpointFilter(RequestBodies.GuardAsync);
        group.AddEndpointFilter(async (context, next) =>
        {
            try
            {
                return await next(context);
            }
            catch (DomainException e)
            {
                return Problem(e);
            }
        });
        return group;
    }

    public static IResult Problem(DomainException e)
    {
        var extensions = new Dictionary<string, object?>();
        if (e.Errors.Count > 0)
        {
            extensions["errors"] = e.Errors.Select(Split).ToArray();
        }
        return Results.Problem(detail: e.Message, statusCode: e.Status, title: e.Title, extensions: extensions);
    }

    /// <summary>"profiles[1].points[0].level: 140 is out of range" → path and message.</summary>
    public static DocumentError Split(string error)
    {
        var colon = error.IndexOf(": ", StringComparison.Ordinal);
        return colon <= 0 || error[..colon].Contains(' ') ? new DocumentError("", error) : new DocumentError(error[..colon], error[(colon + 2)..]);
    }

    /// <summary>Reads the body as <typeparamref name="T"/>; bad JSON, unknown members or an empty body are a 400
    /// that names the field, what it expects and the position (<see cref="JsonErrors"/>).</summary>
    public static async Task<T> BodyAsync<T>(HttpRequest request)
    {
        try
        {
            var value = await JsonSerializer.DeserializeAsync<T>(request.Body, Json, request.HttpContext.RequestAborted);
            return value ?? throw DomainException.Invalid("body: a JSON object is required");
        }
        catch (JsonException e)
        {
            throw DomainException.Invalid(JsonErrors.Describe(e, typeof(T)));
        }
    }

    public static async Task<byte[]> RawBodyAsync(HttpRequest request, int maxBytes = 65536)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted)) > 0)
        {
            if (buffer.Length + read > maxBytes) throw new DomainException(413, "Document too large", $"body: more than {maxBytes} bytes");
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    /// <summary>A <c>PUT</c> that creates or replaces: reads the body (<paramref name="read"/>), asks whether
    /// <paramref name="existsSql"/> (<c>SELECT 1 FROM … WHERE id = @id</c>) finds the resource, writes, and answers
    /// 201 with its location (the request path) when it created it, 200 when it replaced one.</summary>
    public static async Task<IResult> PutAsync<TBody, TResult>(HttpRequest request, Func<HttpRequest, Task<TBody>> read, string existsSql, string id,
        Func<TBody, CancellationToken, Task<TResult>> write) where TResult : notnull
    {
        var body = await read(request);
        var ct = request.HttpContext.RequestAborted;
        bool existed;
        await using (var tx = await Tx.ReadAsync(request.HttpContext.RequestServices.GetRequiredService<IStorageConnections>(), ct))
        {
            existed = await tx.SingleAsync(existsSql, r => "", ("@id", id)) is not null;
        }
        var value = await write(body, ct);
        return existed ? Results.Ok(value) : Results.Created(request.Path.Value, value);
    }

    /// <summary>The acting user's name for the audit log.</summary>
    public static string Actor(this ClaimsPrincipal user) => user.Identity?.Name ?? "anonymous";
}

/// <summary>One problem of an invalid document: where (<c>profiles[1].points[0].level</c>) and what.</summary>
public sealed record DocumentError(string Path, string Message);
