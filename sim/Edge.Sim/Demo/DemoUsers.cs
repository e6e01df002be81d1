using System.Collections.Generic;

namespace Edge.Sim.Demo;

/// <summary>The demo's users, one per role (docs/cloud.md "Users and roles"). Demo passwords: printed, never for a real site.</summary>
public static class DemoUsers
{
    public sealed record DemoUser(string Name, string Role, string Password, string CanDo);

    public static readonly IReadOnlyList<DemoUser> All = new[]
    {
        new DemoUser("admin", "admin", "admin-demo-pass", "everything: users, gateways, audit"),
        new DemoUser("technician", "technician", "technician-demo-pass", "profiles, assignments, commands, alarms, display content, flood rules"),
        new DemoUser("installer", "installer", "installer-demo-pass", "sites, zones, groups, nodes, secrets, gauge and bus-stop settings"),
        new DemoUser("viewer", "viewer", "viewer-demo-pass", "read only"),
    };
}
