using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace Edge.Cloud.ApiDocs;

/// <summary>
/// Declares the problem-details answers an <c>/api/v1</c> endpoint can give, from what the shared plumbing does
/// to it (so no endpoint forgets one): 400 when it reads a body or query parameters, 401/403 when it needs a
/// user or a gateway, 404 when its route names a resource, 413/415 when it reads a body (Requests/RequestBodies).
/// Runs last (<c>Finally</c>), after the endpoint's own metadata, and adds only what is not declared yet.
/// </summary>
public static class ErrorResponses
{
    private static readonly string[] ProblemJson = ["application/problem+json"];

    public static void Describe(EndpointBuilder endpoint)
    {
        var metadata = endpoint.Metadata;
        var declared = metadata.OfType<IProducesResponseTypeMetadata>().Select(m => m.StatusCode).ToHashSet();
        var route = (endpoint as RouteEndpointBuilder)?.RoutePattern;
        var routeNames = route?.Parameters.Select(p => p.Name).ToHashSet(StringComparer.OrdinalIgnoreCase) ?? [];
        var hasBody = metadata.OfType<IAcceptsMetadata>().Any() || metadata.OfType<RequestBody>().Any();
        var hasQuery = metadata.OfType<MethodInfo>().FirstOrDefault()?.GetParameters()
            .Any(p => p.Name is not null && !routeNames.Contains(p.Name) && IsQueryValue(p.ParameterType)) ?? false;
        var authenticated = metadata.OfType<GatewayTokenMetadata>().Any()
            || (metadata.OfType<IAuthorizeData>().Any() && !metadata.OfType<IAllowAnonymous>().Any());

        var statuses = new List<int>();
        if (hasBody || hasQuery) statuses.Add(StatusCodes.Status400BadRequest);
        if (authenticated) statuses.AddRange([StatusCodes.Status401Unauthorized, StatusCodes.Status403Forbidden]);
        if (routeNames.Count > 0) statuses.Add(StatusCodes.Status404NotFound);
        if (hasBody) statuses.AddRange([StatusCodes.Status413PayloadTooLarge, StatusCodes.Status415UnsupportedMediaType]);
        foreach (var status in statuses.Where(s => !declared.Contains(s)))
        {
            metadata.Add(new ProducesResponseTypeMetadata(status, typeof(ProblemDetails), ProblemJson));
        }
    }

    private static bool IsQueryValue(Type type)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        return t == typeof(string) || t.IsPrimitive || t.IsEnum;
    }
}
