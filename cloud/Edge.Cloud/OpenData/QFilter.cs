using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Edge.Cloud.OpenData;

/// <summary>
/// The subset of the NGSI-LD query language (ETSI GS CIM 009 §4.9) the open-data API understands: terms
/// <c>attribute op value</c> with <c>==</c>, <c>!=</c>, <c>&gt;</c>, <c>&gt;=</c>, <c>&lt;</c>, <c>&lt;=</c>, joined by
/// <c>;</c> (and) or <c>|</c> (or; <c>;</c> binds tighter), no parentheses. Values are numbers or double-quoted
/// strings. Only <see cref="Attributes"/> may be queried; anything else is a <c>BadRequestData</c> naming the problem.
/// </summary>
public sealed class QFilter
{
    public static readonly IReadOnlyList<string> Attributes =
    [
        "name", "status", "powerState", "illuminanceLevel", "powerConsumption", "height", "currentLevel", "floodLevelStatus",
        "deviceState", "batteryLevel", "headSign",
    ];

    private static readonly string[] Operators = ["==", "!=", ">=", "<=", ">", "<"];

    private readonly List<List<Term>> _anyOf;

    private QFilter(List<List<Term>> anyOf) => _anyOf = anyOf;

    private sealed record Term(string Attribute, string Op, JsonNode Value);

    public static QFilter Parse(string q)
    {
        var anyOf = new List<List<Term>>();
        foreach (var alternative in Split(q, '|'))
        {
            var allOf = new List<Term>();
            foreach (var text in Split(alternative, ';')) allOf.Add(ParseTerm(text));
            anyOf.Add(allOf);
        }
        return new QFilter(anyOf);
    }

    /// <summary>Splits on <paramref name="separator"/> outside double quotes.</summary>
    private static List<string> Split(string text, char separator)
    {
        var parts = new List<string>();
        var quoted = false;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '"') quoted = !quoted;
            else if (text[i] == separator && !quoted)
            {
                parts.Add(text[start..i]);
                start = i + 1;
            }
        }
        if (quoted) throw NgsiProblem.BadRequest($"q: unterminated string in '{text}'");
        parts.Add(text[start..]);
        return parts;
    }

    /// <summary>The operator is the first one outside quotes (a quoted value may itself contain <c>==</c>).</summary>
    private static Term ParseTerm(string text)
    {
        var term = text.Trim();
        var quoted = false;
        for (var at = 0; at < term.Length; at++)
        {
            if (term[at] == '"') quoted = !quoted;
            if (quoted || at == 0) continue;
            var op = Array.Find(Operators, o => string.CompareOrdinal(term, at, o, 0, o.Length) == 0);
            if (op is null) continue;
            var attribute = term[..at].Trim();
            if (!Attributes.Contains(attribute))
            {
                throw NgsiProblem.BadRequest($"q: '{attribute}' cannot be queried; queryable attributes: {string.Join(", ", Attributes)}");
            }
            return new Term(attribute, op, ParseValue(term[(at + op.Length)..].Trim(), term));
        }
        throw NgsiProblem.BadRequest($"q: '{term}' is not 'attribute op value' (op one of {string.Join(" ", Operators)})");
    }

    private static JsonNode ParseValue(string value, string term)
    {
        if (value.Length >= 2 && value[0] == '"' && value[^1] == '"' && value.IndexOf('"', 1) == value.Length - 1) return JsonValue.Create(value[1..^1]);
        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number)) return JsonValue.Create(number);
        throw NgsiProblem.BadRequest($"q: the value in '{term}' must be a number or a double-quoted string");
    }

    public bool Matches(NgsiEntity entity)
    {
        foreach (var allOf in _anyOf)
        {
            if (allOf.TrueForAll(t => Holds(t, entity.Value(t.Attribute)))) return true;
        }
        return false;
    }

    /// <summary>An entity without the attribute matches no term (§4.9); numbers compare as numbers, strings ordinally.</summary>
    private static bool Holds(Term term, JsonNode? actual)
    {
        if (actual is not JsonValue value) return false;
        int? comparison = (value.GetValueKind(), term.Value.GetValueKind()) switch
        {
            (JsonValueKind.Number, JsonValueKind.Number) => value.GetValue<double>().CompareTo(term.Value.GetValue<double>()),
            (JsonValueKind.String, JsonValueKind.String) => string.CompareOrdinal(value.GetValue<string>(), term.Value.GetValue<string>()),
            _ => null,
        };
        if (comparison is not { } c) return term.Op == "!=";
        return term.Op switch
        {
            "==" => c == 0,
            "!=" => c != 0,
            ">" => c > 0,
            ">=" => c >= 0,
            "<" => c < 0,
            _ => c <= 0,
        };
    }
}
