// Facade: I2C for the INA219 power meter, the BH1750 light sensor and an optional DS3231 RTC.
namespace System.Device.I2c
{
    public enum I2cBusSpeed
    {
        StandardMode,
        FastMode,
        FastModePlus
    }

    public enum I2cTransferStatus
    {
        UnknownError,
        FullTransfer,
        ClockStretchTimeout,
        PartialTransfer,
        SlaveAddressNotAcknowledged,
    }

    public struct I2cTransferResult
    {
        public uint BytesTransferred { get { throw null; } }
        public I2cTransferStatus Status { get { throw null; } }
    }

    public sealed class I2cConnectionSettings
    {
        public I2cConnectionSettings(int busId, int deviceAddress) { throw null; }
        public I2cConnectionSettings(int busId, int deviceAddress, I2cBusSpeed busSpeed) { throw null; }
        public int BusId { get { throw null; } }
        public int DeviceAddress { get { throw null; } }
        public I2cBusSpeed BusSpeed { get { throw null; } }
    }

    public class I2cDevice : IDisposable
    {
        public I2cDevice(I2cConnectionSettings settings) { throw null; }
        public I2cConnectionSettings ConnectionSettings { get { throw null; } }
        public byte ReadByte() { throw null; }
        public I2cTransferResult Read(SpanByte buffer) { throw null; }
        public I2cTransferResult WriteByte(byte value) { throw null; }
        public I2cTransferResult Write(SpanByte buffer) { throw null; }
        public I2cTransferResult WriteRead(SpanByte writeBuffer, SpanByte readBuffer) { throw null; }
        public static I2cDevice Create(I2cConnectionSettings settings) { throw null; }
        public void Dispose() { throw null; }
    }
}
