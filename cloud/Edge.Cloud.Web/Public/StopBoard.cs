using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Edge.Cloud.Desired;
using Edge.Cloud.Domain;
using Edge.Cloud.Inventory;
using Edge.Firmware.Protocol;

namespace Edge.Cloud.Web.Public;

/// <summary>A text in both languages (docs/display-content.md "bilingual text").</summary>
public sealed record Bilingual(string El, string En)
{
    /// <summary>The text in the page's language.</summary>
    public string Current => CultureInfo.CurrentUICulture.TwoLetterISOLanguageName == "en" ? En : El;

    /// <summary>The text in the other language (the sign shows both).</summary>
    public string Other => CultureInfo.CurrentUICulture.TwoLetterISOLanguageName == "en" ? El : En;

    public static string OtherLang => CultureInfo.CurrentUICulture.TwoLetterISOLanguageName == "en" ? "el" : "en";

    public static Bilingual From(JsonElement element) => new(element.GetProperty("el").GetString()!, element.GetProperty("en").GetString()!);
}

public sealed record StopArrival(string Route, Bilingual Headsign, long At, bool Realtime, bool Cancelled)
{
    /// <summary>Whole minutes until departure, rounded up as the sign counts; 0 means "now".</summary>
    public long MinutesFrom(long now) => At <= now ? 0 : (At - now + 59) / 60;
}

/// <summary>
/// What a stop's sign shows, read from the same display document the cloud sends it (docs/display-content.md):
/// bilingual name, departures (live or scheduled, cancelled), notices, banner. <see cref="ValidUntil"/> passed means
/// the sign shows nothing of it, and neither does the page.
/// </summary>
public sealed record StopBoard(string Node, Bilingual Name, IReadOnlyList<StopArrival> Arrivals, IReadOnlyList<Bilingual> Notices,
    (Bilingual Title, Bilingual Text)? Banner, long GeneratedAt, long ValidUntil)
{
    public bool IsCurrent(long now) => now < ValidUntil;

    public static StopBoard FromContent(string node, JsonElement content)
    {
        var arrivals = content.GetProperty("arrivals").EnumerateArray().Select(a => new StopArrival(
            a.GetProperty("route").GetString()!, Bilingual.From(a.GetProperty("headsign")), Instant(a.GetProperty("at")),
            a.GetProperty("realtime").GetBoolean(), a.TryGetProperty("cancelled", out var c) && c.ValueKind == JsonValueKind.True)).ToList();
        var notices = content.TryGetProperty("notices", out var n) && n.ValueKind == JsonValueKind.Array
            ? n.EnumerateArray().Select(Bilingual.From).ToList() : new List<Bilingual>();
        (Bilingual, Bilingual)? banner = content.TryGetProperty("banner", out var b) && b.ValueKind == JsonValueKind.Object
            ? (Bilingual.From(b.GetProperty("title")), Bilingual.From(b.GetProperty("text"))) : null;
        return new StopBoard(node, Bilingual.From(content.GetProperty("stop").GetProperty("name")), arrivals, notices, banner,
            Instant(content.GetProperty("generatedAt")), Instant(content.GetProperty("validUntil")));
    }

    private static long Instant(JsonElement value) =>
        DateTimeOffset.Parse(value.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.None).ToUnixTimeSeconds();
}

/// <summary>Finds the board of a bus-stop node: null when the node is unknown, not a bus stop, or has no display content yet.</summary>
public sealed class StopBoards(InventoryService inventory, DisplayService displays)
{
    public async Task<(NodeInfo Node, StopBoard? Board)?> GetAsync(string node, CancellationToken ct = default)
    {
        NodeInfo info;
        try
        {
            info = await inventory.GetNodeAsync(node, ct);
        }
        catch (DomainException e) when (e.Status == 404)
        {
            return null;
        }
        if (info.Type != Wire.TypeBusStop) return null;
        try
        {
            var display = await displays.GetAsync(node, ct);
            return (info, StopBoard.FromContent(node, display.Document.GetProperty("content")));
        }
        catch (DomainException e) when (e.Status == 404)
        {
            return (info, null);
        }
    }

    /// <summary>Every bus stop (for the overview's list of public pages).</summary>
    public async Task<IReadOnlyList<NodeInfo>> ListAsync(CancellationToken ct = default) =>
        await inventory.ListNodesAsync(null, null, null, null, Wire.TypeBusStop, ct);
}
