using System;
using System.Threading;
using System.Threading.Tasks;
using Edge.Gateway.Operations;

namespace Edge.Gateway.Broker;

/// <summary>
/// Bounds how many CONNECT checks run at once. Each check is a PBKDF2 hash of the node's secret (milliseconds of CPU
/// on one thread pool thread, which it blocks); when hundreds of nodes reconnect together (a gateway restart, a Wi-Fi
/// outage ending), unbounded checks take every pool thread, the pool adds threads to keep up (each with its stack
/// and, once it hashes, its own native allocator arena — memory the process keeps), and the traffic of the nodes
/// already connected waits behind the hashing. Here at most <see cref="Limit"/> checks run; the others wait without
/// holding a thread. The hashing is CPU-bound, so a storm is not admitted more slowly on the whole.
/// </summary>
public sealed class LoginGate
{
    readonly SemaphoreSlim _slots;
    int _running;
    int _waiting;
    int _peak;

    public LoginGate(int limit)
    {
        if (limit < 1) throw new ArgumentOutOfRangeException(nameof(limit), limit, "at least one login check must be able to run");
        Limit = limit;
        _slots = new SemaphoreSlim(limit, limit);
    }

    /// <summary>The default limit: one check per core but one, so a core is left for the connected nodes' traffic.</summary>
    public static int DefaultLimit => Math.Max(1, Environment.ProcessorCount - 1);

    public int Limit { get; }

    /// <summary>Checks running now.</summary>
    public int Running => Volatile.Read(ref _running);

    /// <summary>Checks waiting for a slot now.</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    /// <summary>The most checks that ran at once since start.</summary>
    public int Peak => Volatile.Read(ref _peak);

    /// <summary>Runs <paramref name="check"/> once a slot is free; until then waits asynchronously (no thread held).</summary>
    public async Task<T> RunAsync<T>(Func<T> check, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _waiting);
        try
        {
            await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }
        try
        {
            var running = Interlocked.Increment(ref _running);
            for (var peak = Peak; running > peak && Interlocked.CompareExchange(ref _peak, running, peak) != peak; peak = Peak)
            {
            }
            // A free slot is taken synchronously, on the thread that read the CONNECT: with inline socket completions
            // that is a socket event thread, which the hash would hold for milliseconds (SocketCompletions).
            await SocketCompletions.LeaveEventThread();
            return check();
        }
        finally
        {
            Interlocked.Decrement(ref _running);
            _slots.Release();
        }
    }
}
