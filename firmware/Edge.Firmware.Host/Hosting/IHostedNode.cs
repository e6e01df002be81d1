using System.Threading.Tasks;

namespace Edge.Firmware.Host.Hosting;

/// <summary>One running node as the scheduler sees it: ticked from the one shared loop.</summary>
public interface IHostedNode
{
    string NodeId { get; }

    /// <summary>Runs the node's control loop once. Must not block.</summary>
    void Tick();

    /// <summary>Starts a planned stop (host shutdown, protocol §4.3): keep ticking until <see cref="Stopped"/>.</summary>
    void BeginStop();

    /// <summary>Whether the planned stop has finished (offline state published, session closing).</summary>
    bool Stopped { get; }

    /// <summary>Ends the stop: a node that did not finish in time is cut off (its will is published); completes once the connection is closed.</summary>
    Task CompleteStopAsync();
}
