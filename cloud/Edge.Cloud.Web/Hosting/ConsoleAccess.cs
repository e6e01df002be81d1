using System;
using System.Security.Claims;
using System.Threading.Tasks;
using Edge.Cloud.Users;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Edge.Cloud.Web.Hosting;

/// <summary>
/// Role checks of the console, with the API's own policies (<see cref="Policies"/>): a page shows only the
/// controls the user's role may use, and every form handler checks again before it acts (a forged post is refused).
/// </summary>
public sealed class ConsoleAccess(IAuthorizationService authorization)
{
    public static bool IsSignedIn(ClaimsPrincipal user) => user.Identity?.IsAuthenticated == true;

    public async Task<bool> MayAsync(ClaimsPrincipal user, string policy) =>
        IsSignedIn(user) && (await authorization.AuthorizeAsync(user, policy)).Succeeded;

    /// <summary>Where an unsigned visitor is sent: the sign-in page, which returns to <paramref name="returnUrl"/>.</summary>
    public static string SignInUrl(string returnUrl) => "/signin?returnUrl=" + Uri.EscapeDataString(returnUrl);
}

/// <summary><c>POST /signout</c> (antiforgery token required): ends the browser session.</summary>
public static class ConsoleSession
{
    public static IEndpointRouteBuilder MapConsoleSession(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/signout", (HttpRequest request) => FormPosts.HandleAsync(request.HttpContext, async _ =>
        {
            await request.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.LocalRedirect("/signin");
        })).AllowAnonymous().ExcludeFromDescription();
        return endpoints;
    }
}
