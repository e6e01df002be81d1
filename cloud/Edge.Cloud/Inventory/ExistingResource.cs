using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Edge.Cloud.Inventory;

/// <summary>
/// Sub-resources of a node or group (<c>/nodes/{id}/…</c>, <c>/groups/{id}/…</c>) check that their owner exists
/// before the handler reads the body, so every endpoint answers in the same order: authentication (401/403),
/// existence (404), then the body (400). A removed node is gone: its sub-resources are 404 too.
/// </summary>
public static class ExistingResource
{
    public static RouteHandlerBuilder ForNode(this RouteHandlerBuilder builder) =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            await context.HttpContext.RequestServices.GetRequiredService<InventoryService>()
                .GetNodeAsync(Id(context), context.HttpContext.RequestAborted);
            return await next(context);
        });

    public static RouteHandlerBuilder ForGroup(this RouteHandlerBuilder builder) =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            await context.HttpContext.RequestServices.GetRequiredService<InventoryService>()
                .GetGroupAsync(Id(context), context.HttpContext.RequestAborted);
            return await next(context);
        });

    private static string Id(EndpointFilterInvocationContext context) => (string)context.HttpContext.Request.RouteValues["id"]!;
}
