using System.Collections.Generic;
using System.Security.Claims;
using System.Threading;
using System.Threading.Tasks;
using Edge.Cloud.Domain;
using Edge.Cloud.Users;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Edge.Cloud.Audit;

public static class AuditEndpoints
{
    public static IServiceCollection AddEdgeAudit(this IServiceCollection services) => services.AddSingleton<AuditLog>();

    /// <summary><c>GET /api/v1/audit?target=&amp;actor=&amp;before=&amp;limit=</c>: an admin reads everything, a technician
    /// the lighting, command and alarm entries (<see cref="AuditLog.TechnicianActions"/>).</summary>
    public static IEndpointRouteBuilder MapEdgeAudit(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapApiGroup("Audit");
        api.MapGet("/audit", (AuditLog log, ClaimsPrincipal user, string? target, string? actor, long? before, int? limit, CancellationToken ct) =>
                log.ListAsync(target, actor, before, QueryValues.Limit(limit), ct, user.IsInRole(Roles.Admin) ? null : AuditLog.TechnicianActions))
            .RequireAuthorization(Policies.Technician)
            .WithSummary("The audit log, newest first: an admin sees every entry, a technician those of lighting (profile.*, group.profile, node.profile), commands and alarms")
            .Produces<IReadOnlyList<AuditEntry>>();
        return endpoints;
    }
}
