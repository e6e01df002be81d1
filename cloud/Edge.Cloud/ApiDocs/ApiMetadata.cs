using System;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Edge.Cloud.ApiDocs;

/// <summary>Endpoint metadata: the endpoint authenticates a gateway by its bearer token itself (uplink.md), not
/// through the user policies, so the OpenAPI document names the gateway scheme.</summary>
public sealed class GatewayTokenMetadata
{
    public static readonly GatewayTokenMetadata Instance = new();
}

/// <summary>Endpoint metadata: the JSON body the handler reads itself, and an example, for the OpenAPI document.
/// Not <c>Accepts</c> metadata: that would make routing refuse other content types, and the content-type rule
/// belongs to Requests/RequestBodies (bearer-token clients may send any).</summary>
public sealed record RequestBody(Type Type, object Example);

/// <summary>The documentation side of an endpoint: its JSON body type with an example, and gateway authentication.</summary>
public static class ApiMetadata
{
    /// <summary>The endpoint reads a JSON <typeparamref name="T"/> itself (<c>Api.BodyAsync</c>); OpenAPI cannot see
    /// that, so declare it, with an example.</summary>
    public static RouteHandlerBuilder Body<T>(this RouteHandlerBuilder builder, object example) where T : notnull =>
        builder.WithMetadata(new RequestBody(typeof(T), example));

    /// <summary>The endpoint reads a JSON document by hand (a profile, a gauge config): declare its content type
    /// and an example; the schema is the linked document format.</summary>
    public static RouteHandlerBuilder JsonDocumentBody(this RouteHandlerBuilder builder, object example) =>
        builder.WithMetadata(new RequestBody(typeof(System.Text.Json.Nodes.JsonObject), example));

    public static TBuilder WithGatewayToken<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(GatewayTokenMetadata.Instance);
}
