using System;
using System.Threading;
using System.Threading.Tasks;
using Edge.Gateway.Registry;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Edge.Gateway.Operations;

/// <summary>
/// Gives memory back after many nodes left at once (a power cut in part of the town, a network outage). The garbage
/// collector keeps the memory their connections used for reuse rather than returning it to the system, so without
/// this the gateway's resident memory stayed at its peak (and rose further) after 5,000 idle nodes disconnected
/// (docs/scale.md). Every <see cref="MemoryOptions.ReclaimCheckSeconds"/> it compares the connected nodes with
/// their peak since the last reclaim (the registry's count at every connect, so a wave shorter than the check period counts); when at least <see cref="MemoryOptions.ReclaimAfterNodesLeft"/> and a quarter
/// of that peak have left, it asks for one aggressive full collection, which compacts the heap and decommits the
/// free memory. Such a collection pauses the process briefly, so it runs only after such a drop, never on a timer.
/// A connect storm (the town's nodes after a power cut, a gateway restart) leaves native memory behind too: buffers
/// the sockets, TLS and the runtime allocated and freed, which glibc keeps resident. When at least
/// <see cref="MemoryOptions.ReclaimAfterNodesLeft"/> more nodes are connected than at the last trim, a check hands
/// those free pages back (<see cref="NativeHeap"/>; no collection, no pause of the managed code). Much of what the storm
/// allocated natively is freed only after that trim (buffers of connections still finishing their login, released
/// when their owners are collected), so the first check after it that sees no new wave trims once more
/// (<see cref="MemoryOptions.TrimNativeAgain"/>); so does the check after a reclaim, whose collection's finalizers free
/// native memory after the trim that followed it.
/// </summary>
public sealed class MemoryReclaimer(NodeRegistry registry, MemoryOptions options, TimeProvider clock, ILogger<MemoryReclaimer> logger) : BackgroundService
{
    int _peak;
    int _trimmedAt;
    bool _trimAgain;

    /// <summary>How many times memory was reclaimed since start.</summary>
    public int Reclaims { get; private set; }

    /// <summary>How many times native memory was handed back after nodes arrived.</summary>
    public int Trims { get; private set; }

    /// <summary>How many times native memory was handed back once more, at the check after a trim for arrivals.</summary>
    public int Retrims { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.ReclaimCheckSeconds <= 0) return;
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.ReclaimCheckSeconds), clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false)) Check();
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One check: true when it reclaimed memory.</summary>
    internal bool Check()
    {
        var connected = registry.ConnectedCount;
        // The registry's peak since the last check: nodes that connected and left between two checks count too.
        _peak = Math.Max(Math.Max(_peak, registry.TakePeakConnected()), connected);
        var left = _peak - connected;
        var threshold = Math.Max(1, options.ReclaimAfterNodesLeft);
        _trimmedAt = Math.Min(_trimmedAt, connected); // arrivals count from the fewest connected since the last trim
        if (left < threshold || left < _peak / 4)
        {
            if (connected - _trimmedAt >= threshold)
            {
                if (!TrimNative(connected)) return false;
                Trims++;
                _trimAgain = options.TrimNativeAgain;
                logger.LogDebug("{Connected} nodes connected: native memory freed during their arrival handed back", connected);
            }
            else if (_trimAgain)
            {
                // The wave is over (or the reclaim done): what was freed since the last trim goes back too.
                _trimAgain = false;
                if (TrimNative(connected)) Retrims++;
            }
            return false;
        }
        var before = GC.GetTotalMemory(forceFullCollection: false);
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        // The collection's finalizers (sockets, TLS streams) free native memory after it, on their own thread: once more later.
        _trimAgain = TrimNative(connected) && options.TrimNativeAgain;
        Reclaims++;
        logger.LogInformation("{Left} nodes left since the peak of {Peak}: reclaimed memory (managed heap {Before} → {After} KB)",
            left, _peak, before / 1024, GC.GetTotalMemory(forceFullCollection: false) / 1024);
        _peak = connected;
        return true;
    }

    /// <summary>Hands glibc's free pages back (when <see cref="MemoryOptions.TrimNative"/>); true when it did.</summary>
    bool TrimNative(int connected)
    {
        if (!options.TrimNative || !NativeHeap.Trim()) return false;
        _trimmedAt = connected;
        return true;
    }
}
