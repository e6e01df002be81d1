using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;

namespace Edge.Cloud.Commissioning;

/// <summary>What a self-test found: pass or fail, one sentence with the figure that decided it, and all the figures.</summary>
public sealed record SelfTestVerdict(bool Passed, string Summary, JsonObject Figures);

/// <summary>The self-test of one node type (docs/provisioning.md §Commissioning): its steps through the real command
/// path (<see cref="SelfTestProbe"/>) and the judgement of what came back.</summary>
public interface INodeSelfTest
{
    /// <summary>The node type (protocol.md §2.1) this self-test is for.</summary>
    string Type { get; }

    Task<SelfTestVerdict> RunAsync(SelfTestProbe probe, SelfTestRunRequest request, CancellationToken ct);
}
