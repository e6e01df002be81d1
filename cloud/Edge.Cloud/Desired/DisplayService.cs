using System;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Edge.Cloud.Audit;
using Edge.Cloud.Domain;
using Edge.Cloud.Inventory;
using Edge.Cloud.Storage;
using Edge.Firmware.Protocol;
using Edge.Firmware.Transit;

namespace Edge.Cloud.Desired;

/// <summary>Display content for a bus stop: the content document (docs/display-content.md) and optionally the
/// stop's timetable for the offline fallback. The cloud assigns the version.</summary>
public sealed record DisplayRequest(JsonObject Content, JsonObject? Timetable);

/// <summary>A stop's current display envelope (protocol.md §11.1).</summary>
public sealed record DisplayInfo(string Node, long Version, JsonElement Document);

/// <summary>
/// Stores bus-stop display content (until GTFS arrives, whatever a technician or the demo puts there),
/// validated by the firmware's <see cref="DisplayContentParser"/> / <see cref="TimetableParser"/>, as the
/// <c>display</c> envelope the gateway publishes. Versions increase by one per node (the gateway's rule engine
/// uses a higher range for its banners).
/// </summary>
public sealed class DisplayService
{
    private readonly IStorageConnections _connections;
    private readonly DesiredChangeLog _changes;
    private readonly AuditLog _audit;
    private readonly TimeProvider _time;

    public DisplayService(IStorageConnections connections, DesiredChangeLog changes, AuditLog audit, TimeProvider time)
    {
        _connections = connections;
        _changes = changes;
        _audit = audit;
        _time = time;
    }

    public async Task<DisplayInfo> GetAsync(string node, CancellationToken ct = default)
    {
        await using var tx = await Tx.ReadAsync(_connections, ct);
        return await GetAsync(tx, node) ?? throw DomainException.NotFound("display content of node", node);
    }

    public static Task<DisplayInfo?> GetAsync(Tx tx, string node) =>
        tx.SingleAsync("SELECT node, version, document FROM displays WHERE node = @n",
            r => new DisplayInfo(r.GetString(0), r.GetInt64(1), JsonDocument.Parse(r.GetString(2)).RootElement.Clone()), ("@n", node));

    public async Task<DisplayInfo> PutAsync(string actor, string node, DisplayRequest request, CancellationToken ct = default)
    {
        if (request.Content is null) throw DomainException.Invalid("content: required");
        await using var tx = await Tx.BeginAsync(_connections, ct);
        var info = await InventoryService.GetNodeAsync(tx, node);
        if (info.Type != Wire.TypeBusStop) throw DomainException.Conflict($"node '{node}' is a {info.Type}; display content is for bus stops");
        var version = ((await GetAsync(tx, node))?.Version ?? 0) + 1;
        var content = (JsonObject)request.Content.DeepClone();
        content["version"] = version;
        Check("content", () => new DisplayContentParser().Parse(Encoding.UTF8.GetBytes(content.ToJsonString())));
        if (request.Timetable is not null) Check("timetable", () => new TimetableParser().Parse(Encoding.UTF8.GetBytes(request.Timetable.ToJsonString())));
        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        var envelope = new JsonObject { ["v"] = 1, ["version"] = version, ["generated"] = now, ["content"] = content };
        if (request.Timetable is not null) envelope["timetable"] = request.Timetable.DeepClone();
        var json = envelope.ToJsonString();
        if (Encoding.UTF8.GetByteCount(json) > 16384) throw DomainException.Invalid($"display: {Encoding.UTF8.GetByteCount(json)} bytes; a display envelope may have at most 16384 (protocol.md §11.2)");
        await tx.ExecAsync(
            "INSERT INTO displays (node, version, document, updated_at) VALUES (@n, @v, @d, @at) ON CONFLICT (node) DO UPDATE SET version = excluded.version, document = excluded.document, updated_at = excluded.updated_at",
            ("@n", node), ("@v", version), ("@d", json), ("@at", now));
        await _changes.AppendAsync(tx, info.Gateway, DesiredChangeLog.Display, node);
        await _audit.WriteAsync(tx, actor, "display.put", "node:" + node, new { version });
        await tx.CommitAsync();
        return new DisplayInfo(node, version, JsonDocument.Parse(json).RootElement.Clone());
    }

    private static void Check(string path, Action parse)
    {
        try
        {
            parse();
        }
        catch (FormatException e)
        {
            throw DomainException.InvalidDocument(path, new[] { $"{path}.{e.Message}" });
        }
    }
}
