namespace Edge.Firmware.Host.Hosting;

/// <summary>One running node as the scheduler sees it: ticked from the one shared loop.</summary>
public interface IHostedNode
{
    string NodeId { get; }

    /// <summary>Runs the node's control loop once. Must not block.</summary>
    void Tick();

    /// <summary>Stops the node (host shutdown): a planned disconnect where possible.</summary>
    void Stop();
}
