// Facade: reboot (watchdog, reboot command; protocol.md §10.2, §15 W1) and an explicit GC run.
namespace nanoFramework.Runtime.Native
{
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
