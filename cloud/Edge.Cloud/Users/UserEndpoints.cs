using System;
using System.Collections.Generic;
using System.Security.Claims;
using System.Threading;
using System.Threading.Tasks;
using Edge.Cloud.Domain;
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

public sealed record CreateTokenRequest(string Name);

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
        services.AddHostedService<UserSeeder>();
        services.AddAuthentication(Scheme)
            .AddPolicyScheme(Scheme, "cookie or bearer", o => o.ForwardDefaultSelector = context =>
                context.Request.Headers.Authorization.Count > 0 ? ApiTokenHandler.SchemeName : CookieAuthenticationDefaults.AuthenticationScheme)
            .AddScheme<AuthenticationSchemeOptions, ApiTokenHandler>(ApiTokenHandler.SchemeName, null)
            .AddCookie(o =>
            {
                o.Cookie.Name = "edge.session";
                o.Cookie.HttpOnly = true;
                // Strict: a form on another site cannot ride on the session (no CSRF tokens needed for the API).
                o.Cookie.SameSite = SameSiteMode.Strict;
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
            .AddPolicy(Policies.Admin, p => p.RequireRole(Roles.Admin));
        return services;
    }

    /// <summary>A session ends when its user is deleted and follows role changes at once.</summary>
    private static async Task ValidateSessionAsync(CookieValidatePrincipalContext context)
    {
        var name = context.Principal?.Identity?.Name;
        var user = name is null ? null : await context.HttpContext.RequestServices.GetRequiredService<UserService>().FindAsync(name, context.HttpContext.RequestAborted);
        if (user is null)
        {
            context.RejectPrincipal();
            return;
        }
        if (context.Principal!.FindFirst(ClaimTypes.Role)?.Value != user.Role)
        {
            context.ReplacePrincipal(new ClaimsPrincipal(UserClaims.Identity(user, CookieAuthenticationDefaults.AuthenticationScheme)));
            context.ShouldRenew = true;
        }
    }

    public static IEndpointRouteBuilder MapEdgeUsers(this IEndpointRouteBuilder endpoints)
    {
        var auth = endpoints.MapApiGroup("Auth");
        auth.MapPost("/auth/login", LoginAsync).AllowAnonymous()
            .WithSummary("Sign in with name and password; sets the session cookie").Produces<UserInfo>().ProducesProblem(401);
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
                var (info, token) = await users.CreateTokenAsync(user.Actor(), body.Name, request.HttpContext.RequestAborted);
                return Results.Created($"{Api.Prefix}/auth/tokens/{info.Id}", new CreatedToken(info, token));
            })
            .RequireAuthorization(Policies.Viewer).WithSummary("Make an API token for yourself (shown once)").Produces<CreatedToken>(201);
        auth.MapDelete("/auth/tokens/{id}", async (string id, ClaimsPrincipal user, UserService users, CancellationToken ct) =>
            {
                await users.RevokeTokenAsync(user.Actor(), id, ct);
                return Results.NoContent();
            })
            .RequireAuthorization(Policies.Viewer).WithSummary("Revoke one of your API tokens");

        var admin = endpoints.MapApiGroup("Users");
        admin.MapGet("/users", (UserService users, CancellationToken ct) => users.ListAsync(ct))
            .RequireAuthorization(Policies.Admin).Produces<IReadOnlyList<UserInfo>>();
        admin.MapPost("/users", async (HttpRequest request, ClaimsPrincipal user, UserService users) =>
            {
                var body = await Api.BodyAsync<CreateUserRequest>(request);
                var created = await users.CreateAsync(user.Actor(), body.Name, body.Role, body.Password, request.HttpContext.RequestAborted);
                return Results.Created($"{Api.Prefix}/users/{created.Name}", created);
            })
            .RequireAuthorization(Policies.Admin).Produces<UserInfo>(201);
        admin.MapPut("/users/{name}", async (string name, HttpRequest request, ClaimsPrincipal user, UserService users) =>
            {
                var body = await Api.BodyAsync<UpdateUserRequest>(request);
                return await users.UpdateAsync(user.Actor(), name, body.Role, body.Password, request.HttpContext.RequestAborted);
            })
            .RequireAuthorization(Policies.Admin).Produces<UserInfo>();
        admin.MapDelete("/users/{name}", async (string name, ClaimsPrincipal user, UserService users, CancellationToken ct) =>
            {
                await users.DeleteAsync(user.Actor(), name, ct);
                return Results.NoContent();
            })
            .RequireAuthorization(Policies.Admin);
        return endpoints;
    }

    private static async Task<IResult> LoginAsync(HttpRequest request, UserService users)
    {
        var body = await Api.BodyAsync<LoginRequest>(request);
        var user = await users.VerifyPasswordAsync(body.Name ?? "", body.Password ?? "", request.HttpContext.RequestAborted);
        if (user is null)
        {
            return Results.Problem(statusCode: 401, title: "Not authenticated", detail: "unknown user name or wrong password");
        }
        await request.HttpContext.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme,
            new ClaimsPrincipal(UserClaims.Identity(user, CookieAuthenticationDefaults.AuthenticationScheme)));
        return Results.Ok(user);
    }
}
