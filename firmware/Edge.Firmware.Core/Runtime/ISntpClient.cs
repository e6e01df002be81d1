namespace Edge.Firmware.Runtime;

/// <summary>SNTP on the device (nanoFramework Sntp, or a UDP client on a host). Answers within 2 s or fails (protocol §12.1).</summary>
public interface ISntpClient
{
    /// <summary>Asks <paramref name="server"/> for the time; false when it did not answer in time.</summary>
    bool TryQuery(string server, out long utcSeconds, out int milliseconds);
}
