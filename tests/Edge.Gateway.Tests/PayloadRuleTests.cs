using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Edge.Gateway.Operations;
using Edge.Gateway.Outbox;
using MQTTnet;

namespace Edge.Gateway.Tests;

/// <summary>Oversize (protocol.md §13) and malformed (§5) payloads are dropped and counted while other nodes keep flowing.</summary>
public sealed class PayloadRuleTests
{
    [Fact]
    public async Task Bad_payloads_are_rejected_per_reason_without_disturbing_the_sender_or_other_nodes()
    {
        await using var gateway = await TestGateway.StartAsync();
        var badSecret = gateway.AddNode("sl-0001");
        var goodSecret = gateway.AddNode("sl-0002");
        using var bad = await gateway.ConnectAsync("sl-0001", badSecret);
        using var good = await gateway.ConnectAsync("sl-0002", goodSecret);

        var badPayloads = new (string Payload, string Reason)[]
        {
            ("{\"v\":1,\"type\":\"streetlight\",\"ts\":1,\"boot\":1,\"seq\":1,\"pad\":\"" + new string('x', 4100) + "\"}", "oversize"),
            ("not json at all", "malformed"),
            ("{\"v\":1,\"type\":\"streetlight\",\"ts\":1,\"boot\":1,\"seq\":2} trailing", "malformed"),
            ("[1,2,3]", "malformed"),
            ("{\"v\":2,\"type\":\"streetlight\",\"ts\":1,\"boot\":1,\"seq\":3}", "bad_version"),
            ("{\"type\":\"streetlight\",\"ts\":1,\"boot\":1,\"seq\":4}", "missing_member"),
            ("{\"v\":1,\"type\":\"streetlight\",\"ts\":1,\"seq\":5}", "missing_member"),
            ("{\"v\":1,\"type\":\"streetlight\",\"ts\":1,\"boot\":-1,\"seq\":6,\"level\":5}", "invalid_member"),
        };

        // Both nodes publish concurrently; the good node's stream must arrive complete.
        var goodTask = Task.Run(async () =>
        {
            for (var seq = 1; seq <= 40; seq++)
            {
                await good.PublishAsync(TestGateway.Message(TestGateway.Topic("sl-0002", "telemetry"), TestGateway.Telemetry(1, seq)));
            }
        });
        foreach (var (payload, _) in badPayloads)
        {
            await bad.PublishAsync(TestGateway.Message(TestGateway.Topic("sl-0001", "telemetry"), payload));
        }
        // The bad node is still connected and its next valid message is stored.
        await bad.PublishAsync(TestGateway.Message(TestGateway.Topic("sl-0001", "event"), TestGateway.Event(1, 7)));
        await goodTask;

        Assert.True(bad.IsConnected);
        var metrics = gateway.Metrics;
        foreach (var group in badPayloads.GroupBy(b => b.Reason))
        {
            Assert.Equal(group.Count(), metrics.Get("edge.gateway.messages.rejected", "reason", group.Key));
        }
        var stored = await gateway.Get<IOutboxReader>().ReadAfterAsync(0, 1000, int.MaxValue, default);
        Assert.Equal(Enumerable.Range(1, 40).Select(i => (long)i), stored.Where(m => m.NodeId == "sl-0002").Select(m => m.Seq));
        var fromBad = Assert.Single(stored, m => m.NodeId == "sl-0001");
        Assert.Equal(("event", 7L), (fromBad.Leaf, fromBad.Seq));
    }

    [Theory]
    [InlineData("telemetry", "{\"v\":1,\"type\":\"busstop\",\"ts\":0,\"boot\":3,\"seq\":9,\"contentVersion\":0,\"stale\":true,\"unknownMember\":[1,{\"x\":2}]}", true)]
    [InlineData("event", "{\"v\":1,\"ts\":1,\"boot\":3,\"seq\":9,\"kind\":\"flood.state\",\"from\":\"watch\",\"to\":\"warning\"}", true)]
    [InlineData("event", "{\"v\":1,\"ts\":1,\"boot\":3,\"seq\":9}", false)]
    [InlineData("cmd/ack", "{\"v\":1,\"id\":\"c-1\",\"result\":\"ok\",\"ts\":1,\"boot\":3,\"seq\":9}", true)]
    [InlineData("cmd/ack", "{\"v\":1,\"result\":\"ok\",\"ts\":1,\"boot\":3,\"seq\":9}", false)]
    [InlineData("telemetry", "{\"v\":1,\"type\":\"streetlight\",\"ts\":1,\"boot\":1,\"seq\":1,\"\\u006cevel\":60,\"note\":\"\\u00e9\"}", true)]
    [InlineData("telemetry", "{\"v\":1,\"type\":\"streetlight\",\"ts\":1,\"boot\":1,\"seq\":1,\"\\u006cevel\":140}", false)] // escaped names are still matched
    [InlineData("telemetry", "{\"v\":1,\"type\":\"streetlight\",\"ts\":1,\"boot\":1,\"seq\":1,\"level\":60,\"note\":\"\\udc00\"}", false)]
    [InlineData("state", "{\"v\":1,\"status\":\"offline\",\"reason\":\"lost\"}", true)]
    [InlineData("state", "{\"v\":1,\"status\":\"sleeping\"}", false)]
    [InlineData("telemetry", "\uFEFF{\"v\":1,\"type\":\"streetlight\",\"ts\":1,\"boot\":1,\"seq\":1}", false)]
    public void Validator_follows_the_members_each_leaf_needs(string leaf, string payload, bool valid)
    {
        var result = Edge.Gateway.Broker.MessageValidator.Validate(leaf, System.Text.Encoding.UTF8.GetBytes(payload));
        Assert.Equal(valid, result.IsValid);
    }
}
