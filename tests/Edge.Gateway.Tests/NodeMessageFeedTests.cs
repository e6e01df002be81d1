using System.Threading.Tasks;
using Edge.Gateway.Broker;

namespace Edge.Gateway.Tests;

/// <summary>The node message feed: a subscription that names what it wants gets only that, in order.</summary>
public sealed class NodeMessageFeedTests
{
    [Fact]
    public async Task A_subscription_with_a_filter_receives_only_the_messages_it_accepts_and_the_unfiltered_one_receives_all()
    {
        await using var gateway = await TestGateway.StartAsync();
        var secret = gateway.AddNode("sl-0001");
        var feed = gateway.Get<INodeMessageFeed>();
        using var events = feed.Subscribe(m => m.Leaf == NodeTopics.Event);
        using var everything = feed.Subscribe();
        using var client = await gateway.ConnectAsync("sl-0001", secret);

        await client.PublishAsync(TestGateway.Message(TestGateway.Topic("sl-0001", "telemetry"), TestGateway.Telemetry(1, 1)));
        await client.PublishAsync(TestGateway.Message(TestGateway.Topic("sl-0001", "event"), TestGateway.Event(1, 2)));
        await client.PublishAsync(TestGateway.Message(TestGateway.Topic("sl-0001", "telemetry"), TestGateway.Telemetry(1, 3)));
        await client.PublishAsync(TestGateway.Message(TestGateway.Topic("sl-0001", "event"), TestGateway.Event(1, 4)));

        // Each message is announced after its commit, before its PUBACK: all four are in the channels by now.
        Assert.True(events.Reader.TryRead(out var first));
        Assert.True(events.Reader.TryRead(out var second));
        Assert.Equal((NodeTopics.Event, 2L), (first!.Leaf, first.Seq));
        Assert.Equal((NodeTopics.Event, 4L), (second!.Leaf, second.Seq));
        Assert.False(events.Reader.TryRead(out _));
        for (var seq = 1; seq <= 4; seq++)
        {
            Assert.True(everything.Reader.TryRead(out var message));
            Assert.Equal(seq, message!.Seq);
        }
    }
}
