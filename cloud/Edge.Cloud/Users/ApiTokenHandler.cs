using System;
using System.Security.Claims;
using System.Text.Encodings.Web;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Edge.Cloud.Users;

/// <summary>
/// <c>Authorization: Bearer edge_…</c> for API clients: the token's SHA-256 is looked up in
/// <c>api_tokens</c>. No header: no result (the request is anonymous). A wrong token fails, with a reason the
/// 401 problem details repeat.
/// </summary>
public sealed class ApiTokenHandler : AuthenticationHandler<AuthenticationSchemeOptions>
{
    public const string SchemeName = "ApiToken";

    private readonly UserService _users;

    public ApiTokenHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, UserService users)
        : base(options, logger, encoder)
    {
        _users = users;
    }

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string header = Request.Headers.Authorization.ToString();
        if (header.Length == 0) return AuthenticateResult.NoResult();
        const string bearer = "Bearer ";
        if (!header.StartsWith(bearer, StringComparison.OrdinalIgnoreCase) || header.Length == bearer.Length)
        {
            return AuthenticateResult.Fail("the Authorization header must be 'Bearer <API token>'");
        }
        var user = await _users.FindByTokenAsync(header[bearer.Length..].Trim(), Context.RequestAborted);
        if (user is null) return AuthenticateResult.Fail("the bearer token is not a valid API token (revoked, or its user was deleted)");
        var principal = new ClaimsPrincipal(UserClaims.Identity(user, SchemeName));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }
}

public static class UserClaims
{
    public static ClaimsIdentity Identity(UserInfo user, string scheme) => new(
        new[] { new Claim(ClaimTypes.Name, user.Name), new Claim(ClaimTypes.Role, user.Role) }, scheme, ClaimTypes.Name, ClaimTypes.Role);
}
