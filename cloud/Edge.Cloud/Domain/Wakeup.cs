using System.Threading;
using System.Threading.Tasks;

namespace Edge.Cloud.Domain;

/// <summary>
/// Wakes waiters of this process when something they read has changed. Take <see cref="Next"/> BEFORE reading the
/// state it guards, then wait on it: <see cref="Notify"/> completes it and arms a new one, so a change committed
/// between the read and the wait is never missed. Another process's changes are not seen, so waiters keep a
/// periodic re-read as well.
/// </summary>
public class Wakeup
{
    private TaskCompletionSource _next = Arm();

    /// <summary>Completes at the next <see cref="Notify"/>.</summary>
    public Task Next => Volatile.Read(ref _next).Task;

    public void Notify() => Interlocked.Exchange(ref _next, Arm()).TrySetResult();

    // Continuations run on the pool, never inside the notifier's commit.
    private static TaskCompletionSource Arm() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
