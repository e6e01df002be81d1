namespace Edge.Firmware.Esp32.Drivers;

/// <summary>
/// The wires of an SPI e-paper controller: write-only 4-wire SPI with a D/C line (low = command, high =
/// data), a RESET line and a BUSY input. Panel drivers talk only to this, so their command sequences can be
/// checked against the controller's datasheet with a recording double (<see cref="SpiEpdBus"/> on a device).
/// </summary>
public interface IEpdBus
{
    /// <summary>One command byte (D/C low).</summary>
    void Command(byte command);

    /// <summary>Data bytes for the last command (D/C high); <paramref name="data"/> is not kept.</summary>
    void Data(byte[] data, int offset, int count);

    /// <summary>The BUSY line's level (what it means is the controller's: SSD1680 high = busy, UC8179 low = busy).</summary>
    bool BusyHigh { get; }

    /// <summary>Drives the RESET line (active low).</summary>
    void Reset(bool high);

    /// <summary>Waits; the BUSY time-outs count these milliseconds, not a clock.</summary>
    void Delay(int ms);
}
