// Facade: LEDC PWM for the street-light dim output. On ESP32 the pin is first bound with
// nanoFramework.Hardware.Esp32.Configuration.SetPinFunction(pin, DeviceFunction.PWMn).
namespace System.Device.Pwm
{
    public enum PwmPulsePolarity
    {
        ActiveHigh,
        ActiveLow
    }

    public sealed class PwmChannel : IDisposable
    {
        public PwmChannel(int chip, int channel, int frequency = 400, double dutyCyclePercentage = 0.5) { throw null; }
        public int Frequency { get { throw null; } set { throw null; } }
        public double DutyCycle { get { throw null; } set { throw null; } }
        public void Start() { throw null; }
        public void Stop() { throw null; }
        public static PwmChannel Create(int chip, int channel, int frequency = 400, double dutyCyclePercentage = 0.5) { throw null; }
        public static PwmChannel CreateFromPin(int pin, int frequency = 400, double dutyCyclePercentage = 0.5) { throw null; }
        public void Dispose() { throw null; }
    }
}
