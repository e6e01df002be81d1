using System;
using System.Linq;

namespace Edge.Cloud.Users;

/// <summary>
/// The four roles and the policies endpoints declare. Roles are not a ladder: a technician runs the
/// lighting (profiles, commands, alarms, and the upkeep of a node's zone, group and pole), an installer the
/// inventory (nodes, commissioning); an admin may do everything, a viewer only read.
/// </summary>
public static class Roles
{
    public const string Admin = "admin";
    public const string Technician = "technician";
    public const string Installer = "installer";
    public const string Viewer = "viewer";

    public static readonly string[] All = { Admin, Technician, Installer, Viewer };

    public static bool IsKnown(string role) => All.Contains(role, StringComparer.Ordinal);
}

/// <summary>Policy names; every <c>/api/v1</c> endpoint (other than the gateway-token ones and login) has one.</summary>
public static class Policies
{
    /// <summary>Any signed-in user: read-only endpoints.</summary>
    public const string Viewer = "viewer";

    /// <summary>Profiles, assignments, commands, alarms, display content, flood rules; the audit log of lighting, commands and alarms.</summary>
    public const string Technician = "technician";

    /// <summary>Sites, zones, groups, nodes, secrets, gauge and bus-stop settings (commissioning).</summary>
    public const string Installer = "installer";

    /// <summary>A registered node's inventory (<c>PUT /nodes/{id}</c>): installers and admins every field, technicians
    /// its upkeep — zone, group and pole (InventoryService.MaintainNodeAsync).</summary>
    public const string Inventory = "inventory";

    /// <summary>Users, gateways, the whole audit log.</summary>
    public const string Admin = "admin";
}
