// Facade: whole-file reads and writes on the ESP32's internal flash drive (I:\), which the apps use to keep
// small records (applied config, gauge state) across reboots and deep sleep. Only the static File members
// the apps call: they take and return strings and byte arrays, so no Stream type (System.IO.Streams) leaks in.
namespace System.IO
{
    public static class File
    {
        public static void Delete(string path) { throw null; }
        public static bool Exists(string path) { throw null; }
        public static byte[] ReadAllBytes(string path) { throw null; }
        public static void WriteAllBytes(string path, byte[] bytes) { throw null; }
    }
}
