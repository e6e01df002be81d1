using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Edge.Gateway.Broker;
using Edge.Gateway.Outbox;
using MQTTnet;

namespace Edge.Gateway.Tests;

/// <summary>CONNECT checks through <see cref="LoginGate"/>: a login storm is bounded, and waiting checks hold no thread.</summary>
public sealed class LoginGateTests
{
    [Fact]
    public async Task At_most_the_limit_run_at_once_and_the_rest_wait_without_holding_the_caller()
    {
        var gate = new LoginGate(2);
        using var release = new ManualResetEventSlim();
        // Two checks take both slots and block their (pool) threads, as a slow hash would.
        var running = Enumerable.Range(0, 2).Select(i => Task.Run(() => gate.RunAsync(() => { release.Wait(); return i; }))).ToArray();
        await TestGateway.WaitUntilAsync(() => gate.Running == 2, "two checks running");

        // Called on this thread, a third check cannot run: the call returns at once with a pending task.
        var waiting = Enumerable.Range(2, 4).Select(i => gate.RunAsync(() => i)).ToArray();
        Assert.All(waiting, t => Assert.False(t.IsCompleted));
        Assert.Equal(4, gate.Waiting);
        Assert.Equal(2, gate.Peak);

        release.Set();
        var results = await Task.WhenAll(running.Concat(waiting));
        Assert.Equal(Enumerable.Range(0, 6), results.Order());
        Assert.Equal(2, gate.Peak);
        Assert.Equal(0, gate.Running);
        Assert.Equal(0, gate.Waiting);
    }

    [Fact]
    public async Task A_failing_check_frees_its_slot()
    {
        var gate = new LoginGate(1);
        await Assert.ThrowsAsync<InvalidOperationException>(() => gate.RunAsync<int>(() => throw new InvalidOperationException("broken registry")));
        Assert.Equal(7, await gate.RunAsync(() => 7));
    }

    [Fact]
    public async Task A_held_login_check_does_not_stop_a_connected_nodes_traffic_and_a_storm_admits_every_node()
    {
        await using var gateway = await TestGateway.StartAsync(null, "--Gateway:Broker:Limits:ConcurrentLogins=1");
        var gate = gateway.Get<LoginGate>();
        Assert.Equal(1, gate.Limit);
        var connectedSecret = gateway.AddNode("sl-0001");
        var storm = Enumerable.Range(2, 40).Select(i => $"sl-{i:0000}").Select(id => (Id: id, Secret: gateway.AddNode(id))).ToArray();
        using var connected = await gateway.ConnectAsync("sl-0001", connectedSecret);

        // The one slot is taken by a check that does not finish (a slow hash): the storm's CONNECTs wait in the gate.
        using var release = new ManualResetEventSlim();
        var held = Task.Run(() => gate.RunAsync(() => { release.Wait(); return 0; }));
        await TestGateway.WaitUntilAsync(() => gate.Running == 1, "the slot held");
        var connecting = storm.Select(n => gateway.TryConnectAsync(n.Id, n.Secret, b => b.WithTimeout(TimeSpan.FromSeconds(60)))).ToArray();
        await TestGateway.WaitUntilAsync(() => gate.Waiting == storm.Length, "every CONNECT of the storm waiting for its check");

        // Meanwhile the connected node's telemetry is stored and acknowledged.
        var ack = await connected.PublishAsync(TestGateway.Message(TestGateway.Topic("sl-0001", "telemetry"), TestGateway.Telemetry(1, 1)));
        Assert.True(ack.IsSuccess);
        Assert.Equal(1, gateway.Get<IOutboxReader>().GetStats().Depth);
        Assert.All(connecting, t => Assert.False(t.IsCompleted));

        release.Set();
        await held;
        var results = await Task.WhenAll(connecting);
        try
        {
            Assert.All(results, r => Assert.Equal(MqttClientConnectResultCode.Success, r.Result));
            Assert.Equal(1, gate.Peak);
        }
        finally
        {
            foreach (var (client, _) in results) client.Dispose();
        }
    }
}
