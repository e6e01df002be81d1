using System.Collections.Generic;
using System.Threading.Tasks;
using Edge.Cloud.Domain;
using Edge.Cloud.Storage.Migrations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Edge.Cloud.Commissioning;

/// <summary>
/// A pole keeps one history across the devices that stood on it (docs/cloud.md §Commissioning): a node's history is
/// its own and that of every device it replaced, transitively (<c>node_replacements</c>). Rows stay under the id of the
/// device that sent or produced them — what a device did is never rewritten — and the queries by node read the
/// lineage: telemetry and events (<c>HistoryService</c>) and commissioning results.
/// </summary>
public static class PoleHistory
{
    /// <summary>
    /// Registers the schema of <c>node_replacements</c> (<see cref="CommissioningSchema"/>) once, for every part that
    /// reads a pole's history (history queries, ingestion's refusal of retired devices, commissioning) even where
    /// commissioning itself is not set up.
    /// </summary>
    public static IServiceCollection AddPoleHistory(this IServiceCollection services)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IMigrationSource, CommissioningSchema>());
        return services;
    }

    /// <summary>How many replacements back a history reaches: far beyond any pole's life, a bound against bad data.</summary>
    public const int MaxDevices = 64;

    /// <summary><paramref name="node"/> first, then the device it replaced, the one before that, and so on.</summary>
    public static async Task<List<string>> DevicesAsync(Tx tx, string node)
    {
        var devices = new List<string> { node };
        var seen = new HashSet<string>(System.StringComparer.Ordinal) { node };
        string current = node;
        while (devices.Count < MaxDevices)
        {
            var older = await tx.QueryAsync("SELECT old_node FROM node_replacements WHERE new_node = @n", r => r.GetString(0), ("@n", current));
            if (older.Count == 0 || !seen.Add(older[0])) break;
            devices.Add(older[0]);
            current = older[0];
        }
        return devices;
    }

    /// <summary>An SQL condition <c>{column} IN (…)</c> over the lineage of <paramref name="node"/>, with its parameters.</summary>
    public static async Task<(string Condition, (string Name, object? Value)[] Parameters)> ConditionAsync(Tx tx, string column, string node)
    {
        var (names, parameters) = Tx.InList("@dev", await DevicesAsync(tx, node));
        return (column + " IN (" + names + ")", parameters);
    }
}
