using System;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Edge.Cloud.OpenData;

/// <summary>
/// An NGSI-LD error (ETSI GS CIM 009 §5.5.2): problem details whose <c>type</c> is one of the spec's error URIs,
/// e.g. <c>https://uri.etsi.org/ngsi-ld/errors/BadRequestData</c> (400) or <c>…/ResourceNotFound</c> (404).
/// </summary>
public sealed class NgsiProblem : Exception
{
    public const string ErrorBase = "https://uri.etsi.org/ngsi-ld/errors/";

    public NgsiProblem(int status, string error, string detail) : base(detail)
    {
        Status = status;
        Error = error;
    }

    public int Status { get; }

    /// <summary>The error name: <c>BadRequestData</c>, <c>InvalidRequest</c>, <c>ResourceNotFound</c>, <c>NotAcceptable</c>, …</summary>
    public string Error { get; }

    public static NgsiProblem BadRequest(string detail) => new(StatusCodes.Status400BadRequest, "BadRequestData", detail);

    public static NgsiProblem NotFound(string detail) => new(StatusCodes.Status404NotFound, "ResourceNotFound", detail);

    public static NgsiProblem NotAcceptable(string detail) => new(StatusCodes.Status406NotAcceptable, "NotAcceptable", detail);

    public static NgsiProblem TooManyRequests(string detail) => new(StatusCodes.Status429TooManyRequests, "TooManyRequests", detail);

    /// <summary>The body: <c>type</c>, <c>title</c>, <c>status</c>, <c>detail</c> (RFC 9457 members).</summary>
    public JsonObject ToJson() => new()
    {
        ["type"] = ErrorBase + Error,
        ["title"] = Error,
        ["status"] = Status,
        ["detail"] = Message,
    };

    public IResult ToResult() => Results.Content(ToJson().ToJsonString(), "application/json", statusCode: Status);
}
