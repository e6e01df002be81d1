using System.Linq;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http;

namespace Edge.Cloud.Users;

/// <summary>
/// Answers authorization failures of API endpoints with problem details instead of redirects: 401 says why
/// the caller is not signed in (no credentials, bad token, expired cookie), 403 names the roles the endpoint
/// needs and the caller's role.
/// </summary>
public sealed class ProblemAuthorizationResultHandler : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (authorizeResult.Succeeded)
        {
            await _default.HandleAsync(next, context, policy, authorizeResult);
            return;
        }
        if (authorizeResult.Challenged)
        {
            var failure = (await context.AuthenticateAsync()).Failure?.Message;
            context.Response.Headers.WWWAuthenticate = "Bearer";
            await Results.Problem(
                statusCode: StatusCodes.Status401Unauthorized,
                title: "Not authenticated",
                detail: failure ?? "sign in (POST /api/v1/auth/login) or send 'Authorization: Bearer <API token>'").ExecuteAsync(context);
            return;
        }
        var roles = policy.Requirements.OfType<RolesAuthorizationRequirement>().SelectMany(r => r.AllowedRoles).Distinct().ToArray();
        var role = context.User.FindFirst(System.Security.Claims.ClaimTypes.Role)?.Value ?? "none";
        await Results.Problem(
            statusCode: StatusCodes.Status403Forbidden,
            title: "Not allowed",
            detail: $"{context.Request.Method} {context.Request.Path} needs role {string.Join(" or ", roles)}; user '{context.User.Identity?.Name}' has role {role}").ExecuteAsync(context);
    }
}
