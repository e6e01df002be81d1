// Facade: ADC for battery, solar and supply voltages. On ESP32 use ADC1 channels 0-7 only: ADC2 is taken
// by the Wi-Fi driver (hardware/README.md).
namespace System.Device.Adc
{
    public enum AdcChannelMode
    {
        SingleEnded = 0,
        Differential
    }

    public abstract class AdcControllerBase
    {
        public abstract bool IsChannelModeSupported(AdcChannelMode channelMode);
        public abstract AdcChannel OpenChannel(int channelNumber);
        public abstract int ChannelCount { get; }
        public abstract AdcChannelMode ChannelMode { get; set; }
        public abstract int MaxValue { get; }
        public abstract int MinValue { get; }
        public abstract int ResolutionInBits { get; }
    }

    public class AdcController : AdcControllerBase
    {
        public AdcController() { throw null; }
        public override int ChannelCount { get { throw null; } }
        public override AdcChannelMode ChannelMode { get { throw null; } set { throw null; } }
        public override int MaxValue { get { throw null; } }
        public override int MinValue { get { throw null; } }
        public override int ResolutionInBits { get { throw null; } }
        public override bool IsChannelModeSupported(AdcChannelMode channelMode) { throw null; }
        public override AdcChannel OpenChannel(int channelNumber) { throw null; }
    }

    public abstract class AdcChannelBase
    {
        public abstract int ReadValue();
        public double ReadRatio() { throw null; }
        public AdcController Controller { get { throw null; } }
    }

    public class AdcChannel : AdcChannelBase, IDisposable
    {
        internal AdcChannel() { }
        public override int ReadValue() { throw null; }
        public void Dispose() { throw null; }
    }
}
