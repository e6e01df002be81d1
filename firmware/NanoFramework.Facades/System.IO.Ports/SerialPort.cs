// Facade: UART for the A02YYUW ultrasonic sensor (and a BL0942 metering IC). On ESP32 bind the pins
// first with Configuration.SetPinFunction(pin, DeviceFunction.COM2_RX / COM2_TX).
namespace System.IO.Ports
{
    public enum Parity
    {
        None = 0,
        Odd = 1,
        Even = 2
    }

    public enum StopBits
    {
        One = 1,
        Two = 2,
        OnePointFive = 3
    }

    public sealed class SerialPort : IDisposable
    {
        public SerialPort(string portName, int baudRate = 9600, Parity parity = Parity.None, int dataBits = 8, StopBits stopBits = StopBits.One) { throw null; }
        public void Open() { throw null; }
        public void Close() { throw null; }
        public static string[] GetPortNames() { throw null; }
        public int BaudRate { get { throw null; } set { throw null; } }
        public string PortName { get { throw null; } }
        public bool IsOpen { get { throw null; } }
        public int ReadTimeout { get { throw null; } set { throw null; } }
        public int WriteTimeout { get { throw null; } set { throw null; } }
        public int BytesToRead { get { throw null; } }
        public int Read(byte[] buffer, int offset, int count) { throw null; }
        public int ReadByte() { throw null; }
        public void Write(byte[] buffer, int offset, int count) { throw null; }
        public void WriteByte(byte value) { throw null; }
        public void Dispose() { throw null; }
    }
}
