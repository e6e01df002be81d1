using System.Linq;
using Edge.Firmware.Runtime;

namespace Edge.Firmware.Tests.Runtime;

/// <summary>
/// The runtime's session (<see cref="ConnectionManager"/>) over a link with M2Mqtt 5.1.220's real timings
/// (<see cref="SimulatedM2MqttLink"/>): the runtime gives up a connect after 15 s while M2Mqtt waits 30 s for
/// CONNACK and a TCP connect to a dead host blocks longer; the host name is resolved by each attempt. All on a
/// virtual clock: the control loop polls every 100 ms of virtual time.
/// </summary>
public class ReconnectTimingTests
{
    private sealed class Rig
    {
        public readonly VirtualTime Time = new();
        public readonly SimulatedNetwork Net;
        public readonly SimulatedM2MqttLink Link;
        public readonly FakePlatform Platform = new();
        public readonly ConnectionManager Session;
        public int Online;

        public Rig()
        {
            Net = new SimulatedNetwork(Time);
            Link = new SimulatedM2MqttLink(Net, "gateway.local");
            Session = new ConnectionManager(Link, Platform, new LinkOptions(), new[] { "c" }, 7, 0);
        }

        public void Run(long untilMs)
        {
            for (long t = Time.Now + 100; t <= untilMs; t += 100)
            {
                Time.RunUntil(t);
                if (Session.Poll(t)) Online++;
            }
        }
    }

    [Fact]
    public void A_broker_that_does_not_answer_gets_one_connect_at_a_time_each_on_a_client_of_its_own()
    {
        var rig = new Rig();
        rig.Net.Dns["gateway.local"] = "10.0.0.5";
        var broker = rig.Net.Brokers["10.0.0.5"] = new SimulatedBroker { ConnackAfterMs = -1 };

        rig.Run(3 * 60_000);
        Assert.False(rig.Session.IsOnline);
        // The runtime's 15 s timeout and backoff came back while M2Mqtt still waited for CONNACK: refused, not stacked.
        Assert.True(rig.Link.Attempts.RefusedWhileBusy > 0);
        Assert.Equal(1, rig.Net.MaxConnectsInFlight);

        broker.ConnackAfterMs = 300; // the broker recovers
        rig.Run(12 * 60_000);
        Assert.True(rig.Session.IsOnline);
        Assert.Equal(1, rig.Online);
        Assert.Equal(1, broker.OpenSessions);
        Assert.Equal(1, rig.Net.MaxConnectsInFlight);
        Assert.All(rig.Link.Clients, c => Assert.Equal(1, c.ConnectCalls)); // never reused after a Disconnect
        Assert.All(rig.Link.Clients.Where(c => c != rig.Link.Session), c => Assert.True(c.Closed));
    }

    [Fact]
    public void A_connack_that_comes_after_the_runtime_gave_up_is_closed_and_never_becomes_the_session()
    {
        var rig = new Rig();
        rig.Net.Dns["gateway.local"] = "10.0.0.5";
        var broker = rig.Net.Brokers["10.0.0.5"] = new SimulatedBroker { ConnackAfterMs = 20_000 };

        rig.Run(5 * 60_000);
        Assert.Equal(0, rig.Online);
        Assert.NotEqual(LinkState.Connected, rig.Link.State);
        Assert.True(rig.Link.Clients.Count >= 3);
        Assert.True(rig.Link.Clients.Take(rig.Link.Clients.Count - 1).All(c => c.Closed)); // each late session was closed by its worker
        Assert.True(broker.OpenSessions <= 1); // at most the attempt still under way
        Assert.Equal(1, rig.Net.MaxConnectsInFlight);
        Assert.Contains("no CONNACK", rig.Session.LastError);
    }

    [Fact]
    public void A_dead_host_blocks_the_attempt_longer_than_the_runtime_waits_and_no_second_connect_starts_meanwhile()
    {
        var rig = new Rig();
        rig.Net.Dns["gateway.local"] = "10.0.0.5";
        var broker = rig.Net.Brokers["10.0.0.5"] = new SimulatedBroker { Listening = false };

        rig.Run(SimulatedM2MqttClient.TcpTimeoutMs - 1000);
        Assert.Single(rig.Link.Clients); // the first TCP connect still blocks: every later attempt was refused
        Assert.True(rig.Link.Attempts.RefusedWhileBusy > 0);

        broker.Listening = true;
        rig.Run(10 * 60_000);
        Assert.True(rig.Session.IsOnline);
        Assert.Equal(1, rig.Net.MaxConnectsInFlight);
        Assert.Equal(1, broker.OpenSessions);
    }

    [Fact]
    public void A_gateway_given_by_name_is_resolved_by_every_attempt_and_a_failed_lookup_is_only_a_failed_attempt()
    {
        var rig = new Rig();
        rig.Net.Brokers["10.0.0.5"] = new SimulatedBroker();
        var moved = rig.Net.Brokers["10.0.0.6"] = new SimulatedBroker();

        rig.Run(20_000); // the name does not resolve yet (DNS not reachable): attempts fail, nothing throws
        Assert.False(rig.Session.IsOnline);
        Assert.Contains("no such host", rig.Session.LastError);
        int failedLookups = rig.Net.Lookups;
        Assert.True(failedLookups >= 2);

        rig.Net.Dns["gateway.local"] = "10.0.0.5";
        rig.Run(10 * 60_000);
        Assert.True(rig.Session.IsOnline);
        Assert.Equal("10.0.0.5", rig.Link.Session!.Address);

        // The gateway moves: its old address stops answering, DNS now names the new one.
        rig.Net.Dns["gateway.local"] = "10.0.0.6";
        rig.Net.Brokers["10.0.0.5"].Listening = false;
        rig.Link.Session.Drop();
        rig.Run(20 * 60_000);
        Assert.True(rig.Session.IsOnline);
        Assert.Equal("10.0.0.6", rig.Link.Session!.Address);
        Assert.Equal(1, moved.OpenSessions);
        Assert.Equal(rig.Link.Clients.Count, rig.Net.Lookups - failedLookups); // one lookup per client, i.e. per attempt
    }

    [Fact]
    public void A_late_close_of_an_earlier_client_does_not_end_the_current_session()
    {
        var rig = new Rig();
        rig.Net.Dns["gateway.local"] = "10.0.0.5";
        var broker = rig.Net.Brokers["10.0.0.5"] = new SimulatedBroker();
        rig.Run(10_000);
        Assert.True(rig.Session.IsOnline);
        var first = rig.Link.Session!;

        // A planned close then an immediate new session: the first client's socket closes 0.2–2 s later.
        rig.Link.Disconnect();
        rig.Link.BeginConnect(new LinkOptions());
        rig.Run(rig.Time.Now + 5_000);
        Assert.Equal(LinkState.Connected, rig.Link.State);
        Assert.NotSame(first, rig.Link.Session);
        Assert.Equal(1, broker.OpenSessions);
    }
}
