// Facade: reboot (watchdog, reboot command; protocol.md §10.2, §15 W1), an explicit GC run (free heap),
// setting the RTC (Rtc.SetSystemTime) and the monotonic millisecond counter (System.Environment.TickCount64,
// which nanoFramework ships in this assembly, not in mscorlib).
namespace System
{
    public static partial class Environment
    {
        public static long TickCount64 { get { throw null; } }
    }
}

namespace nanoFramework.Runtime.Native
{
    public static class Rtc
    {
        public static bool SetSystemTime(System.DateTime time) { throw null; }
    }

    public enum RebootOption
    {
        NormalReboot = 0,
        EnterNanoBooter = 1,
        ClrOnly = 2,
        EnterProprietaryBooter = 8,
    }

    public delegate void RebootEventHandler();

    public class Power
    {
        public static event RebootEventHandler OnRebootEvent { add { throw null; } remove { throw null; } }
        public static void RebootDevice(RebootOption rebootOption = RebootOption.NormalReboot) { throw null; }
        public static void RebootDevice(int exeConstraintTimeout, RebootOption rebootOption = RebootOption.NormalReboot) { throw null; }
    }

    public static class GC
    {
        public static uint Run(bool compactHeap) { throw null; }
        public static void EnableGCMessages(bool enable) { throw null; }
    }
}
