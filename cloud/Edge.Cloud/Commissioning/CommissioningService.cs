using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Edge.Cloud.Alarms;
using Edge.Cloud.Audit;
using Edge.Cloud.Commands;
using Edge.Cloud.Domain;
using Edge.Cloud.FaultReports;
using Edge.Cloud.Inventory;
using Edge.Cloud.Storage;
using Microsoft.Extensions.Options;

namespace Edge.Cloud.Commissioning;

/// <summary>What an installer's self-test found (docs/provisioning.md §Commissioning).</summary>
public sealed record CommissioningRequest(bool Passed, string Summary, JsonObject? Figures, double? Lat, double? Lon, double? AccuracyM, string? Pole);

public sealed record CommissioningInfo(long Id, string Node, string Site, long At, string Actor, bool Passed, string Summary, JsonElement Figures,
    double? Lat, double? Lon, double? AccuracyM, string? Pole, bool HasPhoto = false);

/// <summary>A self-test command an installer may send during commissioning.</summary>
public sealed record SelfTestRequest(string Kind, JsonObject? Args);

/// <summary>
/// Commissioning: installers run a node's self-test through the real command path (a restricted set of harmless,
/// short commands, <see cref="SelfTestKinds"/>, issued by <see cref="CommandService"/> in their name), then store the
/// result on the node. One transaction writes the result, the audit entry <c>node.commission</c>, and the alarm
/// <c>node.commissioning@site/node</c> (major) when the self-test failed — cleared by the next pass.
/// </summary>
public sealed class CommissioningService
{
    /// <summary>Commands an installer may send: visible, short, undone by themselves or by override.clear.</summary>
    public static readonly string[] SelfTestKinds = { "identify", "sample-now", "override", "override.clear", "display.refresh" };

    /// <summary>The longest self-test override: it must not outlive the installer's visit.</summary>
    public const int MaxOverrideS = 600;

    private readonly IStorageConnections _connections;
    private readonly CommandService _commands;
    private readonly AuditLog _audit;
    private readonly TimeProvider _time;
    private readonly CommissioningOptions _options;

    public CommissioningService(IStorageConnections connections, CommandService commands, AuditLog audit, TimeProvider time, IOptions<CommissioningOptions> options)
    {
        _options = options.Value;
        _connections = connections;
        _commands = commands;
        _audit = audit;
        _time = time;
    }

    public async Task<CommandInfo> SelfTestAsync(string actor, string node, SelfTestRequest request, CancellationToken ct = default)
    {
        if (!SelfTestKinds.Contains(request.Kind))
            throw DomainException.Invalid("kind: '" + request.Kind + "' is not a self-test command (" + string.Join(", ", SelfTestKinds) + ")");
        if (request.Kind == "override")
        {
            if (request.Args?["durationS"] is not JsonValue d || WholeNumber(d) is not { } seconds || seconds < 1 || seconds > MaxOverrideS)
                throw DomainException.Invalid("args.durationS: a self-test override lasts 1.." + MaxOverrideS + " s");
            if (request.Args.ContainsKey("until")) throw DomainException.Invalid("args.until: a self-test override takes durationS only");
        }
        return await _commands.IssueAsync(actor, node, new CommandRequest(request.Kind, request.Args, 120), ct);
    }

    /// <summary>
    /// A whole number from any numeric JSON value: one parsed from the API's JSON and one built in code from an int, a
    /// long or a double (<c>TryGetValue&lt;long&gt;</c> converts only the first kind) read alike, by their JSON text.
    /// </summary>
    private static long? WholeNumber(JsonValue value) =>
        value.GetValueKind() == JsonValueKind.Number && long.TryParse(value.ToJsonString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out long n) ? n : null;

    /// <summary>Where the installer stood and the pole: the checks a stored result and a self-test run share.</summary>
    public static void CheckPlace(List<string> errors, double? lat, double? lon, double? accuracyM, string? pole)
    {
        if (lat is < -90 or > 90) errors.Add("lat: out of range -90..90");
        if (lon is < -180 or > 180) errors.Add("lon: out of range -180..180");
        if ((lat is null) != (lon is null)) errors.Add("lat, lon: give both or neither");
        if (accuracyM is < 0 or > 100000) errors.Add("accuracyM: out of range 0..100000");
        if (pole is { Length: > 64 }) errors.Add("pole: at most 64 characters");
    }

    public async Task<CommissioningInfo> RecordAsync(string actor, string node, CommissioningRequest request, CancellationToken ct = default)
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(request.Summary) || request.Summary.Length > 500) errors.Add("summary: 1..500 characters");
        CheckPlace(errors, request.Lat, request.Lon, request.AccuracyM, request.Pole);
        string figures = (request.Figures ?? new JsonObject()).ToJsonString();
        if (figures.Length > 8192) errors.Add("figures: at most 8192 bytes of JSON");
        if (errors.Count > 0) throw DomainException.InvalidDocument("commissioning result", errors);

        long now = _time.GetUtcNow().ToUnixTimeSeconds();
        await using var tx = await Tx.BeginAsync(_connections, ct);
        var info = await InventoryService.GetNodeAsync(tx, node);
        long id = (await tx.LongAsync("""
            INSERT INTO node_commissioning (node, site, at, actor, passed, summary, figures, lat, lon, accuracy_m, pole)
            VALUES (@node, @site, @at, @actor, @passed, @summary, @figures, @lat, @lon, @acc, @pole) RETURNING id
            """, ("@node", node), ("@site", info.Site), ("@at", now), ("@actor", actor), ("@passed", request.Passed ? 1 : 0),
            ("@summary", request.Summary), ("@figures", figures), ("@lat", request.Lat), ("@lon", request.Lon), ("@acc", request.AccuracyM),
            ("@pole", request.Pole ?? info.Pole)))!.Value;
        // The figures go to the audit log too: the record of who judged what keeps the numbers behind the verdict.
        await _audit.WriteAsync(tx, actor, "node.commission", "node:" + node, new { id, passed = request.Passed, summary = request.Summary, figures = JsonNode.Parse(figures) });
        string key = AlarmRules.NodeKey("node.commissioning", info.Site, node);
        if (request.Passed) await AlarmService.ClearAsync(tx, key, now);
        else await AlarmService.RaiseAsync(tx, info.Site, node, info.Gateway, "node.commissioning", key, "major", "self-test failed: " + request.Summary, now);
        await tx.CommitAsync();
        return (await ListAsync(node, ct)).First(r => r.Id == id);
    }

    /// <summary>
    /// Adds a photo to a stored result (the pole, the lamp, the wiring): a JPEG of at most
    /// <see cref="CommissioningOptions.MaxPhotoBytes"/>, stored without its Exif/XMP/IPTC metadata (<see cref="JpegMetadata"/>,
    /// as citizens' photos are), replacing an earlier one; audited as <c>node.commission.photo</c>.
    /// </summary>
    public async Task<CommissioningInfo> AttachPhotoAsync(string actor, string node, long result, byte[] photo, CancellationToken ct = default)
    {
        if (photo.Length == 0) throw DomainException.Invalid("photo: empty; send a JPEG as the request body");
        if (photo.Length > _options.MaxPhotoBytes) throw PhotoTooLarge(photo.Length);
        byte[] stripped;
        try
        {
            stripped = JpegMetadata.Strip(photo);
        }
        catch (FormatException e)
        {
            throw DomainException.Invalid("photo: must be a JPEG (" + e.Message + ")");
        }
        await using var tx = await Tx.BeginAsync(_connections, ct);
        await InventoryService.GetNodeAsync(tx, node);
        if (await tx.ExecAsync("UPDATE node_commissioning SET photo = @p WHERE id = @id AND node = @node", ("@p", stripped), ("@id", result), ("@node", node)) == 0)
            throw DomainException.NotFound("commissioning result of node '" + node + "'", result.ToString(CultureInfo.InvariantCulture));
        await _audit.WriteAsync(tx, actor, "node.commission.photo", "node:" + node, new { id = result, bytes = stripped.Length });
        await tx.CommitAsync();
        return (await ListAsync(node, ct)).First(r => r.Id == result);
    }

    /// <summary>413 with the sizes, for a photo over the limit (the API also refuses a longer body before reading it).</summary>
    public DomainException PhotoTooLarge(long bytes) =>
        new(413, "Photo too large", "photo: " + bytes + " bytes, at most " + _options.MaxPhotoBytes);

    /// <summary>The stored photo of a result, or null when it has none.</summary>
    public async Task<byte[]?> PhotoAsync(string node, long result, CancellationToken ct = default)
    {
        await using var tx = await Tx.ReadAsync(_connections, ct);
        var rows = await tx.QueryAsync("SELECT photo FROM node_commissioning WHERE id = @id AND node = @node",
            r => r.IsDBNull(0) ? Array.Empty<byte>() : (byte[])r.GetValue(0), ("@id", result), ("@node", node));
        if (rows.Count == 0) throw DomainException.NotFound("commissioning result of node '" + node + "'", result.ToString(CultureInfo.InvariantCulture));
        return rows[0].Length == 0 ? null : rows[0];
    }

    /// <summary>The commissioning results of the node's pole, newest first: its own and those of the devices it replaced
    /// (<see cref="PoleHistory"/>), each under the device it tested.</summary>
    public async Task<IReadOnlyList<CommissioningInfo>> ListAsync(string node, CancellationToken ct = default)
    {
        await using var tx = await Tx.ReadAsync(_connections, ct);
        await InventoryService.GetNodeAsync(tx, node);
        var (devices, parameters) = await PoleHistory.ConditionAsync(tx, "node", node);
        return await tx.QueryAsync($"""
            SELECT id, node, site, at, actor, passed, summary, figures, lat, lon, accuracy_m, pole, CASE WHEN photo IS NULL THEN 0 ELSE 1 END
            FROM node_commissioning WHERE {devices} ORDER BY id DESC
            """, r => new CommissioningInfo(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetInt64(3), r.GetString(4), r.GetInt64(5) == 1,
                r.GetString(6), JsonDocument.Parse(r.GetString(7)).RootElement.Clone(),
                r.IsDBNull(8) ? null : r.GetDouble(8), r.IsDBNull(9) ? null : r.GetDouble(9), r.IsDBNull(10) ? null : r.GetDouble(10),
                r.IsDBNull(11) ? null : r.GetString(11), Convert.ToInt64(r.GetValue(12)) == 1), parameters);
    }
}
