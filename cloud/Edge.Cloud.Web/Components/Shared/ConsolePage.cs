using System.Security.Claims;
using System.Threading.Tasks;
using Edge.Cloud.Users;
using Edge.Cloud.Web.Hosting;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Http;

namespace Edge.Cloud.Web.Components.Shared;

/// <summary>
/// A technicians' page: a visitor who is not signed in (or whose session expired) is sent to sign in and brought
/// back here; a role below <see cref="Policy"/> gets 403 and a message. Only then <see cref="LoadAsync"/> runs.
/// </summary>
public abstract class ConsolePage : ComponentBase
{
    [CascadingParameter] public HttpContext? HttpContext { get; set; }

    [Inject] protected NavigationManager Nav { get; set; } = null!;

    [Inject] protected ConsoleAccess Access { get; set; } = null!;

    /// <summary>The API policy this page needs (<see cref="Policies"/>).</summary>
    protected virtual string Policy => Policies.Viewer;

    protected bool Allowed { get; private set; }

    protected ClaimsPrincipal User => HttpContext?.User ?? new ClaimsPrincipal();

    protected string Role => User.FindFirst(ClaimTypes.Role)?.Value ?? "";

    protected override async Task OnInitializedAsync()
    {
        if (!ConsoleAccess.IsSignedIn(User))
        {
            Nav.NavigateTo(ConsoleAccess.SignInUrl("/" + Nav.ToBaseRelativePath(Nav.Uri)));
            return;
        }
        Allowed = await Access.MayAsync(User, Policy);
        if (!Allowed)
        {
            if (HttpContext is not null) HttpContext.Response.StatusCode = StatusCodes.Status403Forbidden;
            return;
        }
        await LoadAsync();
    }

    protected abstract Task LoadAsync();

    /// <summary>Whether the user may use a control that needs <paramref name="policy"/> (check again when it posts).</summary>
    protected Task<bool> MayAsync(string policy) => Access.MayAsync(User, policy);

    /// <summary>Refuses a post the user's role may not make: 403, nothing done.</summary>
    protected async Task<bool> RefuseUnlessAsync(string policy)
    {
        if (await MayAsync(policy)) return false;
        if (HttpContext is not null) HttpContext.Response.StatusCode = StatusCodes.Status403Forbidden;
        return true;
    }
}
