using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Edge.Gateway.Rules;

/// <summary>The siren relay of a rule: a GPIO line (BCM numbering on a Raspberry Pi) and its active level.</summary>
public sealed record SirenAction(int Gpio, bool ActiveHigh);

/// <summary>
/// A local flood rule (docs/uplink.md §3 <c>rules</c>): when a water node of <see cref="Zone"/> is in one of the
/// <see cref="On"/> states, show <see cref="Banner"/> on the zone's bus stops, drive its street lights to
/// <see cref="LightsLevel"/>, switch <see cref="Siren"/>. Any action may be absent.
/// </summary>
public sealed record RuleDefinition(string Id, string Zone, IReadOnlyList<string> On, JsonObject? Banner, int? LightsLevel, SirenAction? Siren)
{
    static readonly string[] States = ["normal", "watch", "warning", "alarm"];

    /// <summary>Parses a rule; a FormatException says what and where.</summary>
    public static RuleDefinition Parse(byte[] json)
    {
        var root = JsonNode.Parse(json) as JsonObject ?? throw new FormatException("rule: not an object");
        var id = Str(root, "id");
        var zone = Str(root, "zone");
        var on = root["on"] is JsonArray list
            ? list.Select((s, i) => s is JsonValue v && v.TryGetValue<string>(out var t) && States.Contains(t) ? t : throw new FormatException($"rules[{id}].on[{i}]: one of {string.Join(", ", States)}")).ToList()
            : new List<string> { "warning", "alarm" };
        var actions = root["actions"] as JsonObject ?? throw new FormatException($"rules[{id}].actions: required object");
        var banner = actions["banner"] is JsonObject b ? BannerOf(b, id) : null;
        int? level = null;
        if (actions["lightsLevel"] is JsonValue lv)
        {
            level = lv.TryGetValue<int>(out var l) && l is >= 0 and <= 100 ? l : throw new FormatException($"rules[{id}].actions.lightsLevel: 0..100 (protocol.md §10.2)");
        }
        SirenAction? siren = null;
        if (actions["siren"] is JsonObject s)
        {
            var gpio = s["gpio"] is JsonValue g && g.TryGetValue<int>(out var pin) && pin >= 0 ? pin : throw new FormatException($"rules[{id}].actions.siren.gpio: required pin number");
            var activeHigh = s["activeHigh"] is not JsonValue ah || (ah.TryGetValue<bool>(out var high) ? high : throw new FormatException($"rules[{id}].actions.siren.activeHigh: bool"));
            siren = new SirenAction(gpio, activeHigh);
        }
        return new RuleDefinition(id, zone, on, banner, level, siren);
    }

    /// <summary>The title of a banner given without one: these are flood rules.</summary>
    public static readonly (string El, string En) DefaultTitle = ("Κίνδυνος πλημμύρας", "Flood warning");

    /// <summary>
    /// The banner as docs/display-content.md wants it (<c>{"title": bilingual, "text": bilingual}</c>). The cloud's form
    /// <c>{"el": …, "en": …, "title"?: {"el", "en"}}</c> (docs/uplink.md) is the text with an optional title; a banner
    /// without a title gets <see cref="DefaultTitle"/>, never its own text twice (a short text cut off in the title bar
    /// and then repeated below it).
    /// </summary>
    static JsonObject BannerOf(JsonObject banner, string id)
    {
        var title = banner["title"] is JsonObject t
            ? Bilingual(t, $"rules[{id}].actions.banner.title", 60)
            : new JsonObject { ["el"] = DefaultTitle.El, ["en"] = DefaultTitle.En };
        JsonObject text;
        if (banner["text"] is JsonObject body) text = Bilingual(body, $"rules[{id}].actions.banner.text", 400);
        else if (banner.ContainsKey("el") || banner.ContainsKey("en")) text = Bilingual(banner, $"rules[{id}].actions.banner", 400);
        else if (banner["title"] is JsonObject) text = title.DeepClone().AsObject();
        else throw new FormatException($"rules[{id}].actions.banner: give el and en (the text), or title and text");
        return new JsonObject { ["title"] = title, ["text"] = text };
    }

    static JsonObject Bilingual(JsonObject text, string path, int max)
    {
        var result = new JsonObject();
        foreach (var language in new[] { "el", "en" })
        {
            var value = text[language] is JsonValue v && v.TryGetValue<string>(out var t) ? t : throw new FormatException($"{path}.{language}: required text");
            if (value.Length is 0 || value.Length > max) throw new FormatException($"{path}.{language}: 1..{max} characters (docs/display-content.md)");
            result[language] = value;
        }
        return result;
    }

    static string Str(JsonObject root, string name)
        => root[name] is JsonValue v && v.TryGetValue<string>(out var s) && s.Length > 0 ? s : throw new FormatException($"rule.{name}: required string");

    public IReadOnlyList<string> ActionNames()
    {
        var names = new List<string>();
        if (Banner is not null) names.Add("banner");
        if (LightsLevel is not null) names.Add("lights");
        if (Siren is not null) names.Add("siren");
        return names;
    }
}
