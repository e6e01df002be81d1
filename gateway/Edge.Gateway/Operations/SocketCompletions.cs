using System;
using System.Runtime.CompilerServices;
using System.Threading;

namespace Edge.Gateway.Operations;

/// <summary>
/// Socket completions on the socket event thread (<c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=1</c>), the way the
/// gateway process runs (docs/gateway.md "Benchmark" and "Threads").
///
/// Why: by default .NET's socket engine on Linux hands every completed read or write from its epoll thread to the
/// thread pool. A node's PUBLISH then costs one more thread wake-up on top of the three MQTTnet 5.2 already makes;
/// with inline completions the read's continuation (MQTTnet's packet decoding and the gateway's interceptor up to its
/// outbox enqueue) runs on the event thread itself. Measured: 1.09× the rate, median of 12 A/B rounds on a loaded machine
/// (0.87–1.57×), at about the same CPU per message (docs/gateway.md "Benchmark").
///
/// What it requires of the code: the runtime reads the switch once, when the first socket is made, and it applies to
/// every socket of the process, so whatever runs after an awaited socket operation runs on an event thread until its
/// next real await — and while it runs, every other connection on that thread waits. A step that can block or take
/// long (a SQLite write, the PBKDF2 login check, file I/O, a lock another thread holds across such a step) must
/// therefore first <c>await SocketCompletions.LeaveEventThread()</c>. The places that do: <see cref="Broker.LoginGate"/>,
/// <see cref="Broker.InboundPipeline"/> (state), <see cref="Broker.EmbeddedBroker"/>'s connect, disconnect and retained
/// handlers, the uplink after each send and the downlink after its network calls, the external-broker client after its own.
/// </summary>
public static class SocketCompletions
{
    public const string InlineVariable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>
    /// Turns inline completions on for this process unless the environment already says (an operator's
    /// <c>DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS=0</c> turns them off). Must run before the first socket exists:
    /// first thing in Main. Not for a process that hosts other code beside the gateway (the one-process demo), whose
    /// socket continuations were not written for it.
    /// </summary>
    public static void EnableInline()
    {
        if (Environment.GetEnvironmentVariable(InlineVariable) is null) Environment.SetEnvironmentVariable(InlineVariable, "1");
    }

    /// <summary>True when this process was started with inline completions (as reported in the log at start).</summary>
    public static bool Inline => Environment.GetEnvironmentVariable(InlineVariable) == "1";

    /// <summary>
    /// Continues on a thread-pool thread: at once when already on one (no cost), otherwise (the socket event thread,
    /// or another dedicated thread) after queueing the rest of the method to the pool.
    /// </summary>
    public static ThreadPoolHop LeaveEventThread() => default;
}

/// <summary>The awaitable of <see cref="SocketCompletions.LeaveEventThread"/>.</summary>
public readonly struct ThreadPoolHop : ICriticalNotifyCompletion
{
    public ThreadPoolHop GetAwaiter() => this;

    public bool IsCompleted => Thread.CurrentThread.IsThreadPoolThread;

    public void GetResult()
    {
    }

    public void OnCompleted(Action continuation) => ThreadPool.QueueUserWorkItem(static c => c(), continuation, preferLocal: false);

    public void UnsafeOnCompleted(Action continuation) => ThreadPool.UnsafeQueueUserWorkItem(static c => c(), continuation, preferLocal: false);
}
