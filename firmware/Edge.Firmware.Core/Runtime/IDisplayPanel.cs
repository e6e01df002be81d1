namespace Edge.Firmware.Runtime;

/// <summary>
/// An e-paper panel fed band by band, so a plain ESP32 never holds a whole frame: BeginFrame, then
/// WriteBand for consecutive row ranges top to bottom (1 bit per pixel, MSB first, 1 = ink), then EndFrame.
/// </summary>
public interface IDisplayPanel
{
    /// <summary>Starts a frame; <paramref name="full"/> asks for a full (ghost-clearing) refresh instead of a partial one.</summary>
    void BeginFrame(bool full);

    void WriteBand(int firstRow, int rowCount, byte[] band, int bytesPerRow);

    /// <summary>Triggers the refresh; false when the panel did not respond (protocol §15 H1).</summary>
    bool EndFrame();
}
