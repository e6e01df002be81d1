using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Edge.Cloud.Alarms;
using Edge.Cloud.Audit;
using Edge.Cloud.Domain;
using Edge.Cloud.Inventory;
using Edge.Cloud.Storage;
using Microsoft.Extensions.Options;

namespace Edge.Cloud.FaultReports;

/// <summary>A citizen's report, as the public page sends it (photo: a JPEG in base64).</summary>
public sealed record FaultReportRequest(string Kind, string? Text, string? Photo);

public sealed record FaultReportInfo(long Id, string Node, string Site, long At, string Kind, string? Text, bool HasPhoto);

/// <summary>
/// Citizens report what is wrong with a pole they see (the label's QR code, no sign-in): the report is stored with
/// its photo stripped of metadata (<see cref="JpegMetadata"/>: no GPS or camera data beyond the pole's own position,
/// which the inventory holds) and opens or refreshes the alarm <c>node.fault-report@site/node</c> the technicians
/// see. Rate-limited per client address (<see cref="FaultReportLimiter"/>) and size-limited (<see cref="FaultReportOptions"/>).
/// </summary>
public sealed class FaultReportService
{
    /// <summary>The alarm a report opens (or refreshes) for its node; a technician clears it once checked.</summary>
    public const string AlarmKind = "node.fault-report";

    /// <summary>What a citizen can choose ("other" with free text).</summary>
    public static readonly string[] Kinds = { "lamp-out", "always-on", "flickering", "display-broken", "other" };

    public const int MaxTextLength = 500;

    private readonly IStorageConnections _connections;
    private readonly AuditLog _audit;
    private readonly TimeProvider _time;
    private readonly FaultReportOptions _options;

    public FaultReportService(IStorageConnections connections, AuditLog audit, TimeProvider time, IOptions<FaultReportOptions> options)
    {
        _connections = connections;
        _audit = audit;
        _time = time;
        _options = options.Value;
    }

    public async Task<FaultReportInfo> ReportAsync(string node, FaultReportRequest request, CancellationToken ct = default)
    {
        var errors = new List<string>();
        if (!Kinds.Contains(request.Kind)) errors.Add("kind: '" + request.Kind + "' is not one of " + string.Join(", ", Kinds));
        string? text = string.IsNullOrWhiteSpace(request.Text) ? null : request.Text.Trim();
        if (text is { Length: > MaxTextLength }) errors.Add("text: at most " + MaxTextLength + " characters");
        if (request.Kind == "other" && text is null) errors.Add("text: say what is wrong when the kind is 'other'");
        byte[]? photo = null;
        if (request.Photo is { Length: > 0 })
        {
            try
            {
                photo = Convert.FromBase64String(request.Photo);
                if (photo.Length > _options.MaxPhotoBytes) errors.Add("photo: " + photo.Length + " bytes, at most " + _options.MaxPhotoBytes);
                else photo = JpegMetadata.Strip(photo);
            }
            catch (FormatException e)
            {
                errors.Add("photo: must be a JPEG in base64 (" + e.Message + ")");
                photo = null;
            }
        }
        if (errors.Count > 0) throw DomainException.InvalidDocument("fault report", errors);

        long now = _time.GetUtcNow().ToUnixTimeSeconds();
        await using var tx = await Tx.BeginAsync(_connections, ct);
        var info = await InventoryService.GetNodeAsync(tx, node);
        long id = (await tx.LongAsync("INSERT INTO fault_reports (node, site, at, kind, text, photo) VALUES (@n, @s, @at, @k, @t, @p) RETURNING id",
            ("@n", node), ("@s", info.Site), ("@at", now), ("@k", request.Kind), ("@t", text), ("@p", photo)))!.Value;
        string message = "citizen report: " + request.Kind.Replace('-', ' ') + (text is null ? "" : " — " + (text.Length > 120 ? text[..120] + "…" : text));
        string severity = request.Kind is "lamp-out" or "display-broken" ? "major" : "minor";
        await AlarmService.RaiseAsync(tx, info.Site, node, info.Gateway, AlarmKind, AlarmRules.NodeKey(AlarmKind, info.Site, node), severity, message, now);
        await _audit.WriteAsync(tx, "public", "fault.report", "node:" + node, new { id, kind = request.Kind, photo = photo is not null });
        await tx.CommitAsync();
        return new FaultReportInfo(id, node, info.Site, now, request.Kind, text, photo is not null);
    }

    public async Task<IReadOnlyList<FaultReportInfo>> ListAsync(string? node, int limit, CancellationToken ct = default)
    {
        await using var tx = await Tx.ReadAsync(_connections, ct);
        return await tx.QueryAsync(
            "SELECT id, node, site, at, kind, text, CASE WHEN photo IS NULL THEN 0 ELSE 1 END FROM fault_reports" + (node is null ? "" : " WHERE node = @n") + " ORDER BY id DESC LIMIT @limit",
            r => new FaultReportInfo(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetInt64(3), r.GetString(4), r.IsDBNull(5) ? null : r.GetString(5), r.GetInt32(6) == 1),
            ("@n", node), ("@limit", limit));
    }

    /// <summary>The stored (stripped) photo of a report, or null.</summary>
    public async Task<byte[]?> PhotoAsync(long id, CancellationToken ct = default)
    {
        await using var tx = await Tx.ReadAsync(_connections, ct);
        var rows = await tx.QueryAsync("SELECT photo FROM fault_reports WHERE id = @id", r => r.IsDBNull(0) ? Array.Empty<byte>() : (byte[])r.GetValue(0), ("@id", id));
        if (rows.Count == 0) throw DomainException.NotFound("fault report", id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return rows[0].Length == 0 ? null : rows[0];
    }
}
