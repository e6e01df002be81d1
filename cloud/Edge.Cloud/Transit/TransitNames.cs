using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Edge.Cloud.Domain;
using Edge.Firmware.Transit;

namespace Edge.Cloud.Transit;

/// <summary>
/// Greek and English names for the signs from the feed's <c>translations.txt</c> (by <c>record_id</c>, else by
/// <c>field_value</c>); a name without a translation is shown as the feed has it in both languages. Texts are
/// cut to what the firmware accepts (<see cref="DisplayContentParser.MaxTextLength"/>).
/// </summary>
public sealed class TransitNames
{
    private readonly Dictionary<(string Table, string Field, string Language, string Key), string> _byRecord = new();
    private readonly Dictionary<(string Table, string Field, string Language, string Key), string> _byValue = new();

    private TransitNames() { }

    public static async Task<TransitNames> LoadAsync(Tx tx, long feed)
    {
        var names = new TransitNames();
        var rows = await tx.QueryAsync(
            "SELECT table_name, field_name, language, translation, record_id, field_value FROM transit_translations WHERE feed = @f AND language IN ('el', 'en')",
            r => (Table: r.GetString(0), Field: r.GetString(1), Language: r.GetString(2), Text: r.GetString(3), RecordId: r.Str(4), Value: r.Str(5)), ("@f", feed));
        foreach (var row in rows)
        {
            if (row.RecordId is not null) names._byRecord[(row.Table, row.Field, row.Language, row.RecordId)] = row.Text;
            else if (row.Value is not null) names._byValue[(row.Table, row.Field, row.Language, row.Value)] = row.Text;
        }
        return names;
    }

    /// <summary>{"el": …, "en": …} for the <paramref name="field"/> of <paramref name="table"/> record <paramref name="recordId"/>.</summary>
    public JsonObject Bilingual(string table, string field, string recordId, string text) => new()
    {
        ["el"] = Fit(Find(table, field, "el", recordId, text) ?? text),
        ["en"] = Fit(Find(table, field, "en", recordId, text) ?? text),
    };

    /// <summary>The feed's translation of a field into <paramref name="language"/>, or null when it has none.</summary>
    public string? Find(string table, string field, string language, string recordId, string text) =>
        _byRecord.TryGetValue((table, field, language, recordId), out var byRecord) ? byRecord
        : _byValue.TryGetValue((table, field, language, text), out var byValue) ? byValue : null;

    /// <summary>Control characters out, at most the firmware's length, never empty.</summary>
    public static string Fit(string text, int max = DisplayContentParser.MaxTextLength)
    {
        var clean = new string(text.Where(c => !char.IsControl(c)).ToArray()).Trim();
        if (clean.Length == 0) clean = "?";
        return clean.Length <= max ? clean : clean[..(max - 1)] + "…";
    }
}
