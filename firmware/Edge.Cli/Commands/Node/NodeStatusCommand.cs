using System;
using System.Globalization;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Edge.Cli.Cloud;
using Spectre.Console.Cli;

namespace Edge.Cli.Commands.Node;

/// <summary>`edge node status`: where a node stands in the installer's flow, from the cloud's inventory and what the node last reported.</summary>
public sealed class NodeStatusCommand : AsyncCommand<NodeStatusCommand.Settings>
{
    public sealed class Settings : NodeSelection
    {
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings s, CancellationToken ct)
    {
        CliArguments.RejectUnknown(context, "node status");
        using var cloud = CloudClient.SignedIn();
        var node = await NodeLookup.RequireAsync(cloud, s.Node, s.Pole, s.Site ?? cloud.Config.Site, ct);
        Console.Out.WriteLine($"node        {node.Text("id")} ({node.Text("type")}, site {node.Text("site")})");
        if (node.Text("pole") is { } pole) Console.Out.WriteLine($"pole        {pole}");
        if (node.Number("lat") is { } lat && node.Number("lon") is { } lon)
            Console.Out.WriteLine($"position    {lat.ToString(CultureInfo.InvariantCulture)}, {lon.ToString(CultureInfo.InvariantCulture)}");
        Console.Out.WriteLine($"state       {State(node)}");
        var results = (await cloud.GetAsync("nodes/" + Uri.EscapeDataString(node.Text("id")!) + "/commissioning", false, ct))!.Value;
        if (results.GetArrayLength() == 0) Console.Out.WriteLine("commission  not yet (edge node commission " + node.Text("id") + ")");
        else
        {
            var c = results[0];
            Console.Out.WriteLine($"commission  {(c.GetProperty("passed").GetBoolean() ? "passed" : "FAILED")} {Time(c.GetProperty("at").GetInt64())} by {c.Text("actor")}: {c.Text("summary")}");
        }
        return 0;
    }

    /// <summary>The installer's view: registered → provisioned, not yet seen → online/offline.</summary>
    public static string State(JsonElement node)
    {
        if (!node.GetProperty("hasSecret").GetBoolean()) return "registered, no credentials yet (run `edge node provision " + node.Text("id") + "`)";
        if (node.Number("lastSeen") is not { } seen) return "provisioned, not yet seen (the cloud has no message from it: flashed, powered, in Wi-Fi range of its gateway?)";
        return (node.Text("status") ?? "seen") + ", last seen " + Time((long)seen);
    }

    private static string Time(long unix) => DateTimeOffset.FromUnixTimeSeconds(unix).UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
