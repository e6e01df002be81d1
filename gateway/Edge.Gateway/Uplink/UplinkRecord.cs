using System.Text.Json;
using Edge.Gateway.Broker;
using Edge.Gateway.Outbox;

namespace Edge.Gateway.Uplink;

/// <summary>Writes one outbox message as a record of docs/uplink.md §2 (and, with the envelope members, an event of §4).</summary>
public static class UplinkRecord
{
    /// <summary>The record <c>kind</c> for an outbox leaf.</summary>
    public static string Kind(string leaf) => leaf switch
    {
        NodeTopics.CmdAck => "ack",
        _ => leaf, // telemetry, event, state, rule, gateway
    };

    public static void Write(Utf8JsonWriter writer, OutboxMessage message, string? eventHubsGatewayId = null, string epoch = "")
    {
        writer.WriteStartObject();
        if (eventHubsGatewayId is not null)
        {
            writer.WriteNumber("v", 1);
            writer.WriteString("gateway", eventHubsGatewayId);
            if (epoch.Length > 0) writer.WriteString("epoch", epoch);
        }
        writer.WriteNumber("seq", message.GatewaySeq);
        if (message.NodeId.Length == 0) writer.WriteNull("node");
        else writer.WriteString("node", message.NodeId);
        if (message.Site.Length == 0) writer.WriteNull("site");
        else writer.WriteString("site", message.Site);
        writer.WriteString("kind", Kind(message.Leaf));
        writer.WriteNumber("receivedAt", message.ReceivedUnixMs / 1000);
        // The span that accepted the record (W3C traceparent), when tracing was on: the cloud links its store to it.
        if (message.TraceParent is not null) writer.WriteString("traceparent", message.TraceParent);
        writer.WritePropertyName("payload");
        // The payload was validated as one JSON object when it was accepted (protocol.md §5.1), or built by the gateway.
        writer.WriteRawValue(message.Payload, skipInputValidation: false);
        writer.WriteEndObject();
    }

    public static byte[] ToEventBody(OutboxMessage message, string gatewayId, string epoch = "")
    {
        using var buffer = new System.IO.MemoryStream(message.Payload.Length + 160);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(writer, message, gatewayId, epoch);
        }
        return buffer.ToArray();
    }
}
