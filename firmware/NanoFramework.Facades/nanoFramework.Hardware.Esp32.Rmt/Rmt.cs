// Reference facade: the part of nanoFramework.Hardware.Esp32.Rmt 2.0.53 (namespace nanoFramework.Hardware.Esp32.Rmt)
// that the JSN-SR04T driver uses to time its echo in hardware, read from nanoframework/nanoFramework.Hardware.Esp32.Rmt
// at tag v2.0.53. Bodies throw: the real ones call the ESP32's RMT peripheral natively.
using System;

namespace nanoFramework.Hardware.Esp32.Rmt
{
    public abstract class RmtChannelSettings
    {
        protected RmtChannelSettings(int pinNumber) { throw null; }
        protected RmtChannelSettings(int channel, int pinNumber) { throw null; }

        public int Channel { get { throw null; } set { throw null; } }
        public int PinNumber { get { throw null; } set { throw null; } }
        /// <summary>Divides the 80 MHz APB clock: 80 gives 1 µs ticks (the default).</summary>
        public byte ClockDivider { get { throw null; } set { throw null; } }
        public int BufferSize { get { throw null; } set { throw null; } }
    }

    public sealed class ReceiverChannelSettings : RmtChannelSettings
    {
        public ReceiverChannelSettings(int pinNumber) : base(pinNumber) { throw null; }
        public ReceiverChannelSettings(int channel, int pinNumber) : base(channel, pinNumber) { throw null; }

        /// <summary>Ticks without an edge that end a reception (default 12,000).</summary>
        public ushort IdleThreshold { get { throw null; } set { throw null; } }
        public bool EnableFilter { get { throw null; } set { throw null; } }
        /// <summary>Pulses shorter than this many APB ticks are ignored (default 100).</summary>
        public byte FilterThreshold { get { throw null; } set { throw null; } }
        /// <summary>How long GetAllItems waits for a reception (default 1 s).</summary>
        public TimeSpan ReceiveTimeout { get { throw null; } set { throw null; } }
        /// <summary>Carrier demodulation (default on, 38 kHz, for IR remotes).</summary>
        public bool EnableDemodulation { get { throw null; } set { throw null; } }
    }

    public sealed class TransmitChannelSettings : RmtChannelSettings
    {
        public TransmitChannelSettings(int pinNumber) : base(pinNumber) { throw null; }
        public TransmitChannelSettings(int channel, int pinNumber) : base(channel, pinNumber) { throw null; }

        /// <summary>Carrier modulation of the output (default on, 38 kHz).</summary>
        public bool EnableCarrierWave { get { throw null; } set { throw null; } }
        public bool EnableIdleLevelOutput { get { throw null; } set { throw null; } }
        public bool IdleLevel { get { throw null; } set { throw null; } }
    }

    public abstract class RmtChannel
    {
        protected RmtChannel(RmtChannelSettings settings) { throw null; }
    }

    public class ReceiverChannel : RmtChannel, IDisposable
    {
        public ReceiverChannel(ReceiverChannelSettings settings) : base(settings) { throw null; }

        public void Start(bool clearBuffer) { throw null; }
        public void Stop() { throw null; }
        /// <summary>The pulses received (a new array each call), or null when nothing came before the receive time-out.</summary>
        public RmtCommand[] GetAllItems() { throw null; }
        public void Dispose() { throw null; }
        protected virtual void Dispose(bool disposing) { throw null; }
    }

    public class TransmitterChannel : RmtChannel, IDisposable
    {
        public TransmitterChannel(TransmitChannelSettings settings) : base(settings) { throw null; }

        public void AddCommand(RmtCommand cmd) { throw null; }
        public void ClearCommands() { throw null; }
        public void Send(bool waitTxDone) { throw null; }
        public void Dispose() { throw null; }
        protected virtual void Dispose(bool disposing) { throw null; }
    }

    /// <summary>One RMT item: a level held for a duration, then another (durations in ticks, at most 32,767).</summary>
    public class RmtCommand
    {
        public RmtCommand(ushort duration1, bool level1, ushort duration2, bool level2) { throw null; }

        public ushort Duration0 { get { throw null; } set { throw null; } }
        public ushort Duration1 { get { throw null; } set { throw null; } }
        public bool Level0 { get { throw null; } set { throw null; } }
        public bool Level1 { get { throw null; } set { throw null; } }
    }
}
