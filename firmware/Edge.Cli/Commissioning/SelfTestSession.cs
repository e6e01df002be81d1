using System;
using System.Collections.Generic;
using System.Net.Http;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Edge.Cli.Cloud;

namespace Edge.Cli.Commissioning;

/// <summary>
/// The cloud calls `edge node commission` is made of: the node's first message, then a self-test run the cloud drives
/// and judges (POST /nodes/{id}/self-test-runs, docs/provisioning.md §Commissioning), followed until its verdict with
/// each step told as it happens. The CLI judges nothing itself: the phone page gets the same verdict from the same run.
/// </summary>
public sealed class SelfTestSession
{
    private readonly CloudClient _cloud;
    private readonly string _node;
    private readonly Action<string> _say;

    public SelfTestSession(CloudClient cloud, string node, Action<string> say)
    {
        _cloud = cloud;
        _node = node;
        _say = say;
    }

    private string NodePath => "nodes/" + Uri.EscapeDataString(_node);

    /// <summary>Waits until the cloud has any message of the node; false after <paramref name="limit"/>.</summary>
    public async Task<bool> WaitForFirstMessageAsync(TimeSpan limit, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + limit;
        while (true)
        {
            var node = (await _cloud.GetAsync(NodePath, false, ct))!.Value;
            if (node.Number("lastSeen") is not null) return true;
            if (DateTime.UtcNow > deadline) return false;
            await Task.Delay(TimeSpan.FromSeconds(1), ct);
        }
    }

    /// <summary>Starts the node's self-test run in the cloud and follows it to its end: the finished run (status passed,
    /// failed, error or interrupted; summary, figures, the stored result's id).</summary>
    public async Task<JsonElement> RunAsync(IDictionary<string, object?> request, CancellationToken ct)
    {
        var run = await _cloud.SendAsync(HttpMethod.Post, NodePath + "/self-test-runs", request, ct);
        string path = "self-test-runs/" + run.GetProperty("id").GetInt64();
        int told = 0;
        while (true)
        {
            var steps = run.GetProperty("steps");
            for (; told < steps.GetArrayLength(); told++) _say(steps[told].GetString()!);
            if (run.Text("status") != "running") return run;
            await Task.Delay(TimeSpan.FromMilliseconds(500), ct);
            run = (await _cloud.GetAsync(path, false, ct))!.Value;
        }
    }
}
