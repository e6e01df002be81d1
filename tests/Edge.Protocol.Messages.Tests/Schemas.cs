using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;
using Json.Schema;

namespace Edge.Protocol.Messages.Tests;

/// <summary>The published schemas of docs/schemas/, built once (JsonSchema.Net registers them globally by <c>$id</c>;
/// the common one first, since the others refer to it).</summary>
public static class Schemas
{
    static readonly Lazy<Dictionary<string, JsonSchema>> ByLeaf = new(() =>
    {
        var dir = Path.Combine(RepoRoot(), "docs", "schemas");
        JsonSchema.FromText(File.ReadAllText(Path.Combine(dir, "common.schema.json")));
        return new Dictionary<string, JsonSchema>
        {
            ["telemetry"] = JsonSchema.FromText(File.ReadAllText(Path.Combine(dir, "telemetry.schema.json"))),
            ["event"] = JsonSchema.FromText(File.ReadAllText(Path.Combine(dir, "event.schema.json"))),
            ["state"] = JsonSchema.FromText(File.ReadAllText(Path.Combine(dir, "state.schema.json"))),
            ["cmd/ack"] = JsonSchema.FromText(File.ReadAllText(Path.Combine(dir, "cmd-ack.schema.json"))),
        };
    });

    public static bool IsValid(string leaf, string json)
    {
        using var document = JsonDocument.Parse(json);
        return ByLeaf.Value[leaf].Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.Flag }).IsValid;
    }

    public static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir != null && !File.Exists(Path.Combine(dir.FullName, "Edge.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Edge.sln not found above " + AppContext.BaseDirectory);
    }
}
