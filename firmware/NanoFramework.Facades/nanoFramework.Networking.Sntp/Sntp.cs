// Facade: the device's SNTP client (protocol.md §12.1).
namespace nanoFramework.Networking
{
    public class Sntp
    {
        public static void Start() { throw null; }
        public static void Stop() { throw null; }
        public static void UpdateNow() { throw null; }
        public static bool IsStarted { get { throw null; } }
        public static string Server1 { get { throw null; } set { throw null; } }
        public static string Server2 { get { throw null; } set { throw null; } }
    }
}
