// Facade: nanoFramework keeps CancellationToken in its System.Threading assembly (not mscorlib);
// WifiNetworkHelper.ConnectDhcp takes one as an optional argument.
namespace System.Threading
{
    public struct CancellationToken
    {
        public CancellationToken(bool canceled) { throw null; }
        public static CancellationToken None { get { throw null; } }
        public bool IsCancellationRequested { get { throw null; } }
        public bool CanBeCanceled { get { throw null; } }
        public void ThrowIfCancellationRequested() { throw null; }
    }
}
