// Facade: the base class of native events. Only here because System.Device.Gpio's
// PinValueChangedEventArgs derives from it in the real assembly.
namespace nanoFramework.Runtime.Events
{
    public class BaseEvent
    {
        public ushort Source;
        public byte Message;
    }
}
