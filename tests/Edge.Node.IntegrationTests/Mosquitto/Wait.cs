using System;
using System.Threading;
using System.Threading.Tasks;

namespace Edge.Node.IntegrationTests.Mosquitto;

/// <summary>
/// Waits for a condition instead of sleeping: polls until it holds, and fails with a message only after a
/// generous hang limit (a slow CI machine passes; a broken behaviour fails, not hangs).
/// </summary>
public static class Wait
{
    public static readonly TimeSpan HangLimit = TimeSpan.FromSeconds(60);

    public static async Task Until(Func<bool> condition, string what, TimeSpan? limit = null)
    {
        var deadline = DateTime.UtcNow + (limit ?? HangLimit);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("gave up waiting for: " + what);
            await Task.Delay(20).ConfigureAwait(false);
        }
    }

    /// <summary>Polls <paramref name="step"/> (e.g. a node tick) between checks of <paramref name="condition"/>.</summary>
    public static async Task Until(Func<bool> condition, Action step, string what, TimeSpan? limit = null)
    {
        var deadline = DateTime.UtcNow + (limit ?? HangLimit);
        while (true)
        {
            step();
            if (condition()) return;
            if (DateTime.UtcNow > deadline) throw new TimeoutException("gave up waiting for: " + what);
            await Task.Delay(10).ConfigureAwait(false);
        }
    }
}
