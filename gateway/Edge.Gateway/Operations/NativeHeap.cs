using System;
using System.Runtime.InteropServices;

namespace Edge.Gateway.Operations;

/// <summary>
/// glibc's allocator keeps memory that native code freed (socket and TLS buffers, the runtime's own allocations) in
/// its arenas for reuse instead of giving it back to the system; <c>malloc_trim</c> returns the free pages.
/// A no-op where there is no glibc (Windows, macOS, musl without the call).
/// </summary>
static class NativeHeap
{
    [DllImport("libc", EntryPoint = "malloc_trim")]
    static extern int MallocTrim(nuint pad);

    static bool _unavailable = !OperatingSystem.IsLinux();

    /// <summary>Gives the allocator's free pages back; false when there is no glibc to ask.</summary>
    public static bool Trim()
    {
        if (_unavailable) return false;
        try
        {
            MallocTrim(0);
            return true;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            _unavailable = true;
            return false;
        }
    }
}
