using System;
using System.Collections.Generic;
using System.Globalization;
using System.Threading.Tasks;
using Edge.Cloud.Domain;
using Edge.Cloud.Storage;
using Edge.Cloud.Storage.Migrations;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Edge.Cloud.Gateways;

/// <summary>What a gateway last said about itself with a batch (docs/uplink.md §2, request headers): its software version
/// and the records waiting in its outbox behind that batch, and when.</summary>
public sealed record GatewayUplinkReport(string? Version, long? OutboxDepth, long ReportedAt);

/// <summary>
/// Keeps the latest software version (<c>User-Agent: edge-gateway/&lt;version&gt;</c>) and outbox backlog
/// (<c>Edge-Outbox-Depth</c>) each gateway sends with its batches (<c>gateway_uplink</c>), for <c>GET /gateways</c> and the
/// console. These headers only describe the gateway: one that is missing or malformed is ignored (logged), never a reason
/// to refuse the records it came with, and a value once known stays until the gateway sends a new one.
/// </summary>
public sealed class GatewayUplinkReports(ILogger<GatewayUplinkReports> logger)
{
    public const string DepthHeader = "Edge-Outbox-Depth";
    private const string Product = "edge-gateway/";

    /// <summary>Versions are HTTP tokens (RFC 9110 §10.1.5 product-version); longer than this is not a version.</summary>
    private const int MaxVersionLength = 64;

    /// <summary>What the two headers of a batch request say (both null when neither is there or usable).</summary>
    public (string? Version, long? Depth) Read(string gateway, IHeaderDictionary headers)
    {
        var version = VersionOf(headers.UserAgent.ToString());
        long? depth = null;
        var depthText = headers[DepthHeader].ToString();
        if (depthText.Length > 0)
        {
            if (long.TryParse(depthText, NumberStyles.None, CultureInfo.InvariantCulture, out var n)) depth = n;
            else logger.LogWarning("Gateway {Gateway}: {Header} '{Value}' is not a whole number of records; ignored", gateway, DepthHeader, depthText.Length > 40 ? depthText[..40] : depthText);
        }
        return (version, depth);
    }

    /// <summary>Stores a report (a null value keeps the stored one) in <paramref name="tx"/> (the gateway's bookkeeping
    /// transaction), unless a newer one is stored (several cloud processes may take one gateway's batches).</summary>
    public static async Task WriteAsync(Tx tx, string gateway, string? version, long? depth, long at)
    {
        if (version is null && depth is null) return;
        await tx.ExecAsync(
            """
            INSERT INTO gateway_uplink (gateway, version, outbox_depth, reported_at) VALUES (@g, @v, @d, @at)
            ON CONFLICT (gateway) DO UPDATE SET version = COALESCE(excluded.version, gateway_uplink.version),
              outbox_depth = COALESCE(excluded.outbox_depth, gateway_uplink.outbox_depth), reported_at = excluded.reported_at
            WHERE excluded.reported_at >= gateway_uplink.reported_at
            """, ("@g", gateway), ("@v", version), ("@d", depth), ("@at", at));
    }

    /// <summary>The latest report of every gateway that sent one.</summary>
    public static async Task<Dictionary<string, GatewayUplinkReport>> ListAsync(Tx tx)
    {
        var rows = await tx.QueryAsync("SELECT gateway, version, outbox_depth, reported_at FROM gateway_uplink",
            r => (Gateway: r.GetString(0), Report: new GatewayUplinkReport(r.Str(1), r.Long(2), r.GetInt64(3))));
        var result = new Dictionary<string, GatewayUplinkReport>(StringComparer.Ordinal);
        foreach (var row in rows) result[row.Gateway] = row.Report;
        return result;
    }

    /// <summary>The gateway's version from its User-Agent (<c>edge-gateway/1.4.0+3f9a2c1 …</c>), or null for another client.</summary>
    public static string? VersionOf(string userAgent)
    {
        if (!userAgent.StartsWith(Product, StringComparison.Ordinal)) return null;
        var rest = userAgent.AsSpan(Product.Length);
        var end = rest.IndexOf(' ');
        var version = (end < 0 ? rest : rest[..end]).ToString();
        return version.Length is > 0 and <= MaxVersionLength ? version : null;
    }
}

/// <summary>The <c>gateway_uplink</c> table (205): the newest version and backlog per gateway.</summary>
public sealed class GatewayUplinkSchema : IMigrationSource
{
    private const string Sql = """
        CREATE TABLE gateway_uplink (
          gateway TEXT PRIMARY KEY,
          version TEXT NULL,
          outbox_depth BIGINT NULL,
          reported_at BIGINT NOT NULL
        );
        """;

    public IEnumerable<Migration> Migrations { get; } = [new Migration(205, "gateway version and outbox backlog", Sql, Sql)];
}
