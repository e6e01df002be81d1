using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Edge.Gateway.Operations;
using Edge.Gateway.Registry;
using MQTTnet;

namespace Edge.Gateway.Tests;

/// <summary>Memory given back after many nodes left (docs/scale.md): one aggressive full collection per large drop.</summary>
public sealed class MemoryReclaimerTests
{
    [Fact]
    public async Task A_full_collection_runs_once_after_enough_nodes_left_and_not_before()
    {
        // Checks are called by the test (the periodic timer is off): the decision, not the timing, is under test.
        await using var gateway = await TestGateway.StartAsync(null, "--Gateway:Memory:ReclaimCheckSeconds=0", "--Gateway:Memory:ReclaimAfterNodesLeft=4");
        var registry = gateway.Get<NodeRegistry>();
        var reclaimer = gateway.Get<MemoryReclaimer>();
        var clients = new List<IMqttClient>();
        foreach (var node in Enumerable.Range(1, 12).Select(i => $"sl-{i:0000}"))
        {
            clients.Add(await gateway.ConnectAsync(node, gateway.AddNode(node)));
        }
        await TestGateway.WaitUntilAsync(() => registry.ConnectedCount == 12, "12 nodes connected");
        Assert.False(reclaimer.Check()); // the peak: 12

        await LeaveAsync(clients, 3, registry, 9);
        Assert.False(reclaimer.Check()); // 3 left: fewer than ReclaimAfterNodesLeft

        var fullCollections = GC.CollectionCount(GC.MaxGeneration);
        await LeaveAsync(clients, 1, registry, 8);
        Assert.True(reclaimer.Check()); // 4 left, a third of the peak
        Assert.True(GC.CollectionCount(GC.MaxGeneration) > fullCollections);
        Assert.Equal(1, reclaimer.Reclaims);

        Assert.False(reclaimer.Check()); // the peak is now 8: nothing more without another drop
        await LeaveAsync(clients, 4, registry, 4);
        Assert.True(reclaimer.Check());
        Assert.Equal(2, reclaimer.Reclaims);
        foreach (var client in clients) client.Dispose();
    }

    /// <summary>
    /// Nodes that connect and all leave between two checks (a wave shorter than the check period) never showed in a
    /// check's count; the registry's peak since the last check makes the next check see them and reclaim.
    /// </summary>
    [Fact]
    public async Task A_wave_that_comes_and_goes_between_two_checks_is_reclaimed_at_the_next()
    {
        await using var gateway = await TestGateway.StartAsync(null, "--Gateway:Memory:ReclaimCheckSeconds=0", "--Gateway:Memory:ReclaimAfterNodesLeft=4");
        var registry = gateway.Get<NodeRegistry>();
        var reclaimer = gateway.Get<MemoryReclaimer>();
        Assert.False(reclaimer.Check()); // nobody yet
        var clients = new List<IMqttClient>();
        foreach (var node in Enumerable.Range(1, 6).Select(i => $"sl-{i:0000}"))
        {
            clients.Add(await gateway.ConnectAsync(node, gateway.AddNode(node)));
        }
        await TestGateway.WaitUntilAsync(() => registry.ConnectedCount == 6, "6 nodes connected");
        await LeaveAsync(clients, 6, registry, 0);

        Assert.True(reclaimer.Check());
        Assert.Equal(1, reclaimer.Reclaims);
        Assert.False(reclaimer.Check()); // counted once
    }

    /// <summary>
    /// A connect storm leaves freed native buffers resident in glibc's arenas: a check hands them back once enough
    /// nodes arrived since the last time, and not again until as many more arrive.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Native_memory_is_handed_back_once_after_a_wave_of_arrivals_unless_turned_off(bool trim)
    {
        await using var gateway = await TestGateway.StartAsync(null, "--Gateway:Memory:ReclaimCheckSeconds=0", "--Gateway:Memory:ReclaimAfterNodesLeft=4",
            "--Gateway:Memory:TrimNative=" + trim);
        var reclaimer = gateway.Get<MemoryReclaimer>();
        var clients = new List<IMqttClient>();
        Task ArriveAsync(int count) => MemoryReclaimerTests.ArriveAsync(gateway, clients, count);

        await ArriveAsync(3);
        Assert.False(reclaimer.Check());
        Assert.Equal(0, reclaimer.Trims); // 3 arrived: fewer than ReclaimAfterNodesLeft

        await ArriveAsync(2);
        Assert.False(reclaimer.Check()); // a trim is no reclaim: nothing left
        Assert.Equal(trim ? 1 : 0, reclaimer.Trims);
        Assert.False(reclaimer.Check());
        Assert.Equal(trim ? 1 : 0, reclaimer.Trims); // once per wave

        await ArriveAsync(4);
        Assert.False(reclaimer.Check());
        Assert.Equal(trim ? 2 : 0, reclaimer.Trims);
        Assert.Equal(0, reclaimer.Reclaims);
        foreach (var client in clients) client.Dispose();
    }

    /// <summary>
    /// A connect storm's buffers reach glibc's free lists after the trim for its arrival ran: the first check after it
    /// that sees no new wave trims once more (<c>Gateway:Memory:TrimNativeAgain</c>), once, and not while nodes keep
    /// arriving in waves (each of those trims already); likewise the check after a reclaim.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Native_memory_is_handed_back_once_more_at_the_first_check_after_a_wave_unless_turned_off(bool again)
    {
        await using var gateway = await TestGateway.StartAsync(null, "--Gateway:Memory:ReclaimCheckSeconds=0", "--Gateway:Memory:ReclaimAfterNodesLeft=4",
            "--Gateway:Memory:TrimNativeAgain=" + again);
        var reclaimer = gateway.Get<MemoryReclaimer>();
        var clients = new List<IMqttClient>();

        await ArriveAsync(gateway, clients, 4);
        Assert.False(reclaimer.Check());
        Assert.Equal((1, 0), (reclaimer.Trims, reclaimer.Retrims)); // the trim for the wave
        await ArriveAsync(gateway, clients, 4);
        Assert.False(reclaimer.Check());
        Assert.Equal((2, 0), (reclaimer.Trims, reclaimer.Retrims)); // another wave: its own trim, no second one yet

        Assert.False(reclaimer.Check());
        Assert.Equal((2, again ? 1 : 0), (reclaimer.Trims, reclaimer.Retrims)); // the waves are over: once more
        Assert.False(reclaimer.Check());
        Assert.Equal((2, again ? 1 : 0), (reclaimer.Trims, reclaimer.Retrims)); // and only once

        await ArriveAsync(gateway, clients, 4);
        Assert.False(reclaimer.Check());
        Assert.False(reclaimer.Check());
        Assert.Equal((3, again ? 2 : 0), (reclaimer.Trims, reclaimer.Retrims));
        Assert.Equal(0, reclaimer.Reclaims);

        // A reclaim's collection runs finalizers that free native memory after its trim: the next check trims once more.
        await LeaveAsync(clients, clients.Count, gateway.Get<NodeRegistry>(), 0);
        Assert.True(reclaimer.Check());
        Assert.Equal(again ? 2 : 0, reclaimer.Retrims);
        Assert.False(reclaimer.Check());
        Assert.False(reclaimer.Check());
        Assert.Equal((3, again ? 3 : 0), (reclaimer.Trims, reclaimer.Retrims));
    }

    static async Task ArriveAsync(TestGateway gateway, List<IMqttClient> clients, int count)
    {
        foreach (var node in Enumerable.Range(clients.Count + 1, count).Select(i => $"sl-{i:0000}"))
        {
            clients.Add(await gateway.ConnectAsync(node, gateway.AddNode(node)));
        }
        var registry = gateway.Get<NodeRegistry>();
        await TestGateway.WaitUntilAsync(() => registry.ConnectedCount == clients.Count, $"{clients.Count} nodes connected");
    }

    static async Task LeaveAsync(List<IMqttClient> clients, int count, NodeRegistry registry, int remaining)
    {
        foreach (var client in clients.Take(count).ToList())
        {
            await client.DisconnectAsync();
            client.Dispose();
            clients.Remove(client);
        }
        await TestGateway.WaitUntilAsync(() => registry.ConnectedCount == remaining, $"{remaining} nodes connected");
    }
}
