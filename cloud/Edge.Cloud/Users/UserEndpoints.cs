using System;
using System.Collections.Generic;
using System.Security.Claims;
using System.Threading;
using System.Threading.Tasks;
using Edge.Cloud.ApiDocs;
using Edge.Cloud.Domain;
using Edge.Cloud.Requests;
using Edge.Cloud.Storage.Migrations;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Edge.Cloud.Users;

public sealed record LoginRequest(string Name, string Password);

public sealed record CreateUserRequest(string Name, string Role, string Password);

public sealed record UpdateUserRequest(string? Role, string? Password);

public sealed record CreateTokenRequest(string Name, int? ExpiresInDays = null);

public sealed record CreatedToken(ApiTokenInfo Info, string Token);

public static class UserEndpoints
{
    /// <summary>The authentication scheme that picks the bearer handler when an Authorization header is
    /// present and the cookie otherwise.</summary>
    public const string Scheme = "Edge";

    public static IServiceCollection AddEdgeUsers(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<UserOptions>(configuration.GetSection(UserOptions.Section));
        var hours = configuration.GetSection(UserOptions.Section).GetValue<int?>("CookieHours") ?? 12;
        services.AddSingleton<IMigrationSource, UserSchema>();
        services.AddSingleton<UserService>();
        services.AddSingleton<LoginService>();
        services.AddHostedService<UserSeeder>();
        services.AddSingleton<LoginLimiter>();
        services.AddAuthentication(Scheme)
            // A gateway endpoint's bearer token is a gateway's (it checks the token itself, GatewayRegistry): looking it up
            // among the users' API tokens too would cost every batch a query, and note a use of a user's token there.
            .AddPolicyScheme(Scheme, "cookie or bearer", o => o.ForwardDefaultSelector = context =>
                context.Request.Headers.Authorization.Count > 0 && context.GetEndpoint()?.Metadata.GetMetadata<GatewayTokenMetadata>() is null
                    ? ApiTokenHandler.SchemeName : CookieAuthenticationDefaults.AuthenticationScheme)
            .AddScheme<AuthenticationSchemeOptions, ApiTokenHandler>(ApiTokenHandler.SchemeName, null)
            .AddCookie(o =>
            {
                o.Cookie.Name = "edge.session";
                o.Cookie.HttpOnly = true;
                // Strict: a form on another site cannot ride on the session (no CSRF tokens needed for the API;
                // the JSON-only rule of Requests/RequestBodies closes same-site form posts too).
                o.Cookie.SameSite = SameSiteMode.Strict;
                // Secure whenever the request came over HTTPS, also through a trusted reverse proxy
                // (X-Forwarded-Proto, Requests/); plain HTTP stays usable for the loopback demo.
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.ExpireTimeSpan = TimeSpan.FromHours(hours);
                o.SlidingExpiration = true;
                o.Events.OnValidatePrincipal = ValidateSessionAsync;
            });
        services.AddSingleton<IAuthorizationMiddlewareResultHandler, ProblemAuthorizationResultHandler>();
        services.AddAuthorizationBuilder()
            .AddPolicy(Policies.Viewer, p => p.RequireRole(Roles.Viewer, Roles.Installer, Roles.Technician, Roles.Admin))
            .AddPolicy(Policies.Technician, p => p.RequireRole(Roles.Technician, Roles.Admin))
            .AddPolicy(Policies.Installer, p => p.RequireRole(Roles.Installer, Roles.Admin))
            .AddPolicy(Policies.Inventory, p => p.RequireRole(Roles.Installer, Roles.Technician, Roles.Admin))
            .AddPolicy(Policies.Admin, p => p.RequireRole(Roles.Admin));
        return services;
    }

    /// <summary>A session ends when its user is deleted or their password or role changes (the session stamp in
    /// the cookie no longer matches the user's).</summary>
    private static async Task ValidateSessionAsync(CookieValidatePrincipalContext context)
    {
        var name = context.Principal?.Identity?.Name;
        var session = name is null ? null : await context.HttpContext.RequestServices.GetRequiredService<UserService>().FindSessionAsync(name, context.HttpContext.RequestAborted);
        if (session is null || context.Principal!.FindFirst(UserClaims.Stamp)?.Value != session.Stamp || context.Principal.FindFirst(ClaimTypes.Role)?.Value != session.User.Role)
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        }
    }

    private static Task SignInAsync(HttpContext context, UserSession session) =>
        context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(UserClaims.Session(session)));

    public static IEndpointRouteBuilder MapEdgeUsers(this IEndpointRouteBuilder endpoints)
    {
        var auth = endpoints.MapApiGroup("Auth");
        auth.MapPost("/auth/login", LoginAsync).AllowAnonymous()
            .WithBodyLimit(o => o.MaxLoginBytes).Body<LoginRequest>(Examples.Login)
            .WithSummary("Sign in with name and password; sets the session cookie").Produces<UserInfo>().ProducesProblem(401).ProducesProblem(429);
        auth.MapPost("/auth/logout", async (HttpContext context) =>
        {
            await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.NoContent();
        }).AllowAnonymous().WithSummary("Ends the browser session");
        auth.MapGet("/auth/me", async (ClaimsPrincipal user, UserService users, CancellationToken ct) =>
                await users.FindAsync(user.Actor(), ct) ?? throw DomainException.NotFound("user", user.Actor()))
            .RequireAuthorization(Policies.Viewer).WithSummary("The signed-in user").Produces<UserInfo>();
        auth.MapGet("/auth/tokens", (ClaimsPrincipal user, UserService users, CancellationToken ct) => users.ListTokensAsync(user.Actor(), ct))
            .RequireAuthorization(Policies.Viewer).WithSummary("Your API tokens").Produces<IReadOnlyList<ApiTokenInfo>>();
        auth.MapPost("/auth/tokens", async (HttpRequest request, ClaimsPrincipal user, UserService users) =>
            {
                var body = await Api.BodyAsync<CreateTokenRequest>(request);
                var (info, token) = await users.CreateTokenAsync(user.Actor(), body.Name, body.ExpiresInDays, request.HttpContext.RequestAborted);
                return Results.Created($"{Api.Prefix}/auth/tokens/{info.Id}", new CreatedToken(info, token));
            })
            .RequireAuthorization(Policies.Viewer).Body<CreateTokenRequest>(Examples.Token).WithSummary("Make an API token for yourself (shown once); {name, expiresInDays?}").Produces<CreatedToken>(201);
        auth.MapDelete("/auth/tokens/{id}", async (string id, ClaimsPrincipal user, UserService users, CancellationToken ct) =>
            {
                await users.RevokeTokenAsync(user.Actor(), id, ct);
                return Results.NoContent();
            })
            .RequireAuthorization(Policies.Viewer).WithSummary("Revoke one of your API tokens");

        var admin = endpoints.MapApiGroup("Users");
        admin.MapGet("/users", (UserService users, CancellationToken ct) => users.ListAsync(ct))
            .RequireAuthorization(Policies.Admin).WithSummary("Every user with role, creation time and whether disabled").Produces<IReadOnlyList<UserInfo>>();
        admin.MapPost("/users", async (HttpRequest request, ClaimsPrincipal user, UserService users) =>
            {
                var body = await Api.BodyAsync<CreateUserRequest>(request);
                var created = await users.CreateAsync(user.Actor(), body.Name, body.Role, body.Password, request.HttpContext.RequestAborted);
                return Results.Created($"{Api.Prefix}/users/{created.Name}", created);
            })
            .RequireAuthorization(Policies.Admin).Body<CreateUserRequest>(Examples.User).Produces<UserInfo>(201);
        admin.MapPut("/users/{name}", async (string name, HttpRequest request, ClaimsPrincipal user, UserService users) =>
            {
                var body = await Api.BodyAsync<UpdateUserRequest>(request);
                var updated = await users.UpdateAsync(user.Actor(), name, body.Role, body.Password, request.HttpContext.RequestAborted);
                // Your own change ends your other sessions, not the browser session that made it.
                if (name == user.Actor() && user.Identity?.AuthenticationType == CookieAuthenticationDefaults.AuthenticationScheme
                    && await users.FindSessionAsync(name, request.HttpContext.RequestAborted) is { } session)
                {
                    await SignInAsync(request.HttpContext, session);
                }
                return updated;
            })
            .RequireAuthorization(Policies.Admin).Body<UpdateUserRequest>(Examples.UserUpdate).Produces<UserInfo>();
        admin.MapDelete("/users/{name}", async (string name, ClaimsPrincipal user, UserService users, CancellationToken ct) =>
            {
                await users.DeleteAsync(user.Actor(), name, ct);
                return Results.NoContent();
            })
            .RequireAuthorization(Policies.Admin);
        admin.MapPost("/users/{name}/disable", (string name, ClaimsPrincipal user, UserService users, CancellationToken ct) =>
                users.SetDisabledAsync(user.Actor(), name, disabled: true, ct))
            .RequireAuthorization(Policies.Admin).Produces<UserInfo>().ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Disable a user: their sessions end, sign-in and their API tokens are refused; name, role, tokens and audit trail stay (audit: user.disable)")
            .WithDescription("No body. Disabling a disabled user changes nothing. 409 when you disable yourself or the last enabled admin.");
        admin.MapPost("/users/{name}/enable", (string name, ClaimsPrincipal user, UserService users, CancellationToken ct) =>
                users.SetDisabledAsync(user.Actor(), name, disabled: false, ct))
            .RequireAuthorization(Policies.Admin).Produces<UserInfo>()
            .WithSummary("Enable a disabled user again: sign-in and their API tokens work again (audit: user.enable)")
            .WithDescription("No body. Enabling an enabled user changes nothing.");
        return endpoints;
    }

    private static async Task<IResult> LoginAsync(HttpRequest request, LoginService login, LoginLimiter limiter, TimeProvider time)
    {
        var context = request.HttpContext;
        // Counted before the body is read: a malformed attempt is an attempt.
        var wait = limiter.TryTake(context.Connection.RemoteIpAddress?.ToString() ?? "unknown");
        if (wait > 0)
        {
            context.Response.Headers.RetryAfter = wait.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many login attempts",
                detail: $"too many login attempts from this address; try again in {wait} s");
        }
        var body = await Api.BodyAsync<LoginRequest>(request);
        var result = await login.LoginAsync(body.Name ?? "", body.Password ?? "", context.Connection.RemoteIpAddress?.ToString(), context.RequestAborted);
        if (result.Session is { } session)
        {
            await SignInAsync(context, session);
            return Results.Ok(session.User);
        }
        var until = result.LockedUntil is { } at ? DateTimeOffset.FromUnixTimeSeconds(at).ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture) : null;
        if (result.NowLocked)
        {
            return Results.Problem(statusCode: 401, title: "Not authenticated",
                detail: $"unknown user name or wrong password; after too many failures in a row, logins for this name are refused until {until}");
        }
        if (result.LockedUntil is { } lockedUntil)
        {
            var seconds = Math.Max(1, lockedUntil - time.GetUtcNow().ToUnixTimeSeconds());
            context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Results.Problem(statusCode: 429, title: "Login locked",
                detail: $"too many failed logins in a row for this name: logins are refused until {until} (in {seconds} s)");
        }
        return Results.Problem(statusCode: 401, title: "Not authenticated", detail: "unknown user name or wrong password");
    }
}
