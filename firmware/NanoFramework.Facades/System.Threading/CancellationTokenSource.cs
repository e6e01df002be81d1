// Facade: a token that cancels itself after a delay, to bound WifiNetworkHelper.ConnectDhcp (without one the
// helper waits for an IP address indefinitely).
namespace System.Threading
{
    public class CancellationTokenSource : IDisposable
    {
        public CancellationTokenSource() { throw null; }
        public CancellationTokenSource(int millisecondsDelay) { throw null; }
        public bool IsCancellationRequested { get { throw null; } }
        public CancellationToken Token { get { throw null; } }
        public void Cancel() { throw null; }
        public void Dispose() { throw null; }
    }
}
