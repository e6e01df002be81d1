using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;

namespace Edge.Cloud.Domain;

/// <summary>
/// A query or route value that does not parse (<c>limit=ten</c>) is a 400 that names the parameter and what it
/// takes. Minimal APIs refuse it before any filter runs, with a message naming the .NET type
/// (<c>Failed to bind parameter "int? limit" from "ten"</c>); with <c>ThrowOnBadRequest</c> it arrives here.
/// </summary>
public sealed partial class QueryErrors(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, System.Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException bad || bad.StatusCode != StatusCodes.Status400BadRequest) return false;
        string detail;
        if (FailedToBind().Match(bad.Message) is { Success: true } failed)
        {
            detail = $"{failed.Groups["name"].Value}: '{failed.Groups["value"].Value}' is not {Kind(failed.Groups["type"].Value)}";
        }
        else if (Required().Match(bad.Message) is { Success: true } required)
        {
            detail = $"{required.Groups["name"].Value}: is required";
        }
        else
        {
            return false;
        }
        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            Exception = exception,
            ProblemDetails =
            {
                Status = StatusCodes.Status400BadRequest,
                Title = "Invalid request",
                Detail = detail,
                Extensions = { ["errors"] = new[] { Api.Split(detail) } },
            },
        });
    }

    /// <summary>"int?", "Nullable`1", "Int32": the kind of value the parameter takes.</summary>
    private static string Kind(string type)
    {
        var t = type.ToLowerInvariant();
        if (t.Contains("int") || t.Contains("long") || t.Contains("short")) return "a whole number";
        if (t.Contains("double") || t.Contains("float") || t.Contains("decimal")) return "a number";
        return t.Contains("bool") ? "true or false" : "a valid value";
    }

    [GeneratedRegex("""^Failed to bind parameter "(?<type>\S+) (?<name>\w+)" from "(?<value>.*)"\.$""")]
    private static partial Regex FailedToBind();

    [GeneratedRegex("""^Required parameter "(?<type>\S+) (?<name>\w+)" was not provided""")]
    private static partial Regex Required();
}
