using System;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace Edge.Cli.Cloud;

/// <summary>Finds a node in the inventory by id or pole id and refuses nodes outside the installer's site.</summary>
public static class NodeLookup
{
    /// <summary>The node, or null when <paramref name="id"/> is unknown (and no pole was given).</summary>
    public static async Task<JsonElement?> FindAsync(CloudClient cloud, string? id, string? pole, string? site, CancellationToken ct)
    {
        JsonElement? node = null;
        if (id != null)
        {
            node = await cloud.GetAsync("nodes/" + Uri.EscapeDataString(id), missingIsNull: true, ct);
        }
        else if (pole != null)
        {
            var nodes = (await cloud.GetAsync("nodes" + (site != null ? "?site=" + Uri.EscapeDataString(site) : ""), false, ct))!.Value;
            foreach (var n in nodes.EnumerateArray())
            {
                if (n.GetProperty("pole").ValueKind == JsonValueKind.String && n.GetProperty("pole").GetString() == pole)
                {
                    if (node != null) throw new CloudException("pole '" + pole + "' carries more than one node (" + node.Value.GetProperty("id").GetString() + ", " + n.GetProperty("id").GetString() + "): give the node id");
                    node = n;
                }
            }
        }
        if (node is { } found) CheckSite(found, site);
        return node;
    }

    /// <summary>The node, or a clear error naming what does not exist.</summary>
    public static async Task<JsonElement> RequireAsync(CloudClient cloud, string? id, string? pole, string? site, CancellationToken ct)
    {
        if (id == null && pole == null) throw new ArgumentException("give a node id, or --pole <pole id>");
        return await FindAsync(cloud, id, pole, site, ct)
            ?? throw new CloudException(id != null ? "node '" + id + "' does not exist in the inventory of " + cloud.Config.Url
                : "no node on pole '" + pole + "'" + (site != null ? " at site " + site : ""));
    }

    public static void CheckSite(JsonElement node, string? site)
    {
        string nodeSite = node.GetProperty("site").GetString()!;
        if (site != null && nodeSite != site)
            throw new CloudException("node '" + node.GetProperty("id").GetString() + "' belongs to site '" + nodeSite + "', not to your site '" + site
                + "' (edge login --site, or --site): refused");
    }

    public static string? Text(this JsonElement node, string name) =>
        node.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    public static double? Number(this JsonElement node, string name) =>
        node.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;
}
