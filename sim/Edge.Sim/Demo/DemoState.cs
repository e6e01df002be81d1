using System;
using System.Collections.Generic;
using System.IO;
using System.Security.Cryptography;
using System.Text.Json;

namespace Edge.Sim.Demo;

/// <summary>
/// What the demo must remember between runs besides the databases: whether the site was seeded, the gateway's
/// token and every node's secret (the cloud keeps only hashes; a real installer writes the secret to the node's
/// flash with <c>edge node provision</c>). Kept in <c>demo-state.json</c> in the data directory.
/// </summary>
public sealed class DemoState
{
    public bool Seeded { get; set; }
    public string GatewayToken { get; set; } = "";
    public Dictionary<string, string> NodeSecrets { get; set; } = new(StringComparer.Ordinal);

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public static string PathIn(string dataDir) => System.IO.Path.Combine(dataDir, "demo-state.json");

    public static DemoState LoadOrCreate(string dataDir)
    {
        var path = PathIn(dataDir);
        var state = File.Exists(path) ? JsonSerializer.Deserialize<DemoState>(File.ReadAllText(path), Json) ?? new DemoState() : new DemoState();
        if (state.GatewayToken.Length == 0)
            state.GatewayToken = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return state;
    }

    /// <summary>Written to a temporary file and renamed, so a crash never leaves half a file.</summary>
    public void Save(string dataDir)
    {
        var path = PathIn(dataDir);
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(this, Json));
        File.Move(temporary, path, overwrite: true);
    }
}
