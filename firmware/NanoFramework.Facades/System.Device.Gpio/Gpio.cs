// Facade: GPIO for relays, status LEDs, buttons, the e-paper DC/RST/BUSY lines and the JSN-SR04T
// trigger/echo. Same namespace, names and signatures as the real System.Device.Gpio.
using nanoFramework.Runtime.Events;

namespace System.Device.Gpio
{
    public enum PinMode
    {
        Input,
        InputPullDown,
        InputPullUp,
        Output,
        OutputOpenDrain,
        OutputOpenDrainPullUp,
        OutputOpenSource,
        OutputOpenSourcePullDown
    }

    public enum PinNumberingScheme
    {
        Logical,
        Board
    }

    public enum PinEventTypes
    {
        None = 0,
        Rising = 1,
        Falling = 2
    }

    public readonly struct PinValue
    {
        public static PinValue High { get { throw null; } }
        public static PinValue Low { get { throw null; } }
        public static implicit operator PinValue(int value) { throw null; }
        public static implicit operator PinValue(bool value) { throw null; }
        public static explicit operator byte(PinValue value) { throw null; }
        public static explicit operator int(PinValue value) { throw null; }
        public static explicit operator bool(PinValue value) { throw null; }
        public bool Equals(PinValue other) { throw null; }
        public override bool Equals(object obj) { throw null; }
        public static bool operator ==(PinValue a, PinValue b) { throw null; }
        public static bool operator !=(PinValue a, PinValue b) { throw null; }
        public override int GetHashCode() { throw null; }
        public override string ToString() { throw null; }
    }

    public class PinValueChangedEventArgs : BaseEvent
    {
        public PinValueChangedEventArgs(PinEventTypes changeType, int pinNumber) { throw null; }
        public PinEventTypes ChangeType { get { throw null; } }
        public int PinNumber { get { throw null; } }
    }

    public delegate void PinValueChangedEventHandler(object sender, PinValueChangedEventArgs e);

    public sealed class GpioPin : IDisposable
    {
        private GpioPin() { }
        public TimeSpan DebounceTimeout { get { throw null; } set { throw null; } }
        public int PinNumber { get { throw null; } }
        public PinMode GetPinMode() { throw null; }
        public bool IsPinModeSupported(PinMode pinMode) { throw null; }
        public void SetPinMode(PinMode value) { throw null; }
        public PinValue Read() { throw null; }
        public void Write(PinValue value) { throw null; }
        public void Toggle() { throw null; }
        public event PinValueChangedEventHandler ValueChanged { add { throw null; } remove { throw null; } }
        public void Dispose() { throw null; }
    }

    public sealed class GpioController : IDisposable
    {
        public GpioController() { throw null; }
        public GpioController(PinNumberingScheme numberingScheme) { throw null; }
        public PinNumberingScheme NumberingScheme { get { throw null; } }
        public int PinCount { get { throw null; } }
        public GpioPin OpenPin(int pinNumber) { throw null; }
        public GpioPin OpenPin(int pinNumber, PinMode mode) { throw null; }
        public void ClosePin(int pinNumber) { throw null; }
        public bool IsPinOpen(int pinNumber) { throw null; }
        public bool IsPinModeSupported(int pinNumber, PinMode mode) { throw null; }
        public PinMode GetPinMode(int pinNumber) { throw null; }
        public void SetPinMode(int pinNumber, PinMode mode) { throw null; }
        public PinValue Read(int pinNumber) { throw null; }
        public void Write(int pinNumber, PinValue value) { throw null; }
        public void Dispose() { throw null; }
    }
}
