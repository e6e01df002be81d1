namespace Edge.Firmware.Runtime;

/// <summary>A switched output: the water node's siren/beacon relay (protocol §10.2 <c>siren</c>), a status LED.</summary>
public interface IRelay
{
    void Set(bool on);
}
