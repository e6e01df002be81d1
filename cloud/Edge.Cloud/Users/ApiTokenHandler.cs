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
/// <c>api_tokens</c>. No header: no result (the request is anonymous). A wrong or expired token fails, with a
/// reason the 401 problem details repeat. Each use is noted (last-used time, <c>token.use</c> audit) at most
/// once per interval.
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
        var owner = await _users.FindByTokenAsync(header[bearer.Length..].Trim(), Context.RequestAborted);
        if (owner is null) return AuthenticateResult.Fail("the bearer token is not a valid API token (revoked, or its user was deleted)");
        if (owner.ExpiresAt <= TimeProvider.GetUtcNow().ToUnixTimeSeconds())
        {
            return AuthenticateResult.Fail($"the API token '{owner.TokenName}' expired at {DateTimeOffset.FromUnixTimeSeconds(owner.ExpiresAt):yyyy-MM-ddTHH:mm:ssZ}; make a new one");
        }
        await _users.RecordTokenUseAsync(owner, Context.Connection.RemoteIpAddress?.ToString(), Context.RequestAborted);
        var principal = new ClaimsPrincipal(UserClaims.Identity(owner.User, SchemeName));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }
}

public static class UserClaims
{
    /// <summary>The session stamp a cookie carries; it must equal the user's (see <see cref="UserService.UpdateAsync"/>).</summary>
    public const string Stamp = "edge:stamp";

    public static ClaimsIdentity Identity(UserInfo user, string scheme) => new(
        new[] { new Claim(ClaimTypes.Name, user.Name), new Claim(ClaimTypes.Role, user.Role) }, scheme, ClaimTypes.Name, ClaimTypes.Role);

    /// <summary>A browser session's identity: the user and their current session stamp.</summary>
    public static ClaimsIdentity Session(UserSession session)
    {
        var identity = Identity(session.User, Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationDefaults.AuthenticationScheme);
        identity.AddClaim(new Claim(Stamp, session.Stamp));
        return identity;
    }
}
