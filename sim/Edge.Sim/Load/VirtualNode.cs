using System;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using MQTTnet;
using MQTTnet.Protocol;

namespace Edge.Sim.Load;

/// <summary>
/// A lightweight street light for scale runs: one MQTT 3.1.1 client that does what the protocol asks of a node on the
/// wire (protocol.md §2.2 login and will, §4.1 subscribe then birth, §6.2 telemetry, §10.3 acks) and nothing else —
/// no firmware, no flash, no lamp. Its telemetry's <c>seq</c> (per boot) identifies each message for the lag measure.
/// </summary>
public sealed class VirtualNode : IAsyncDisposable
{
    private readonly IMqttClient _client;
    private readonly string _prefix;
    private long _seq;

    private VirtualNode(IMqttClient client, string id, string site)
    {
        _client = client;
        Id = id;
        _prefix = $"edge/{site}/{id}/";
    }

    public string Id { get; }

    /// <summary>Commands acked so far.</summary>
    public int Acked;

    public static async Task<VirtualNode> ConnectAsync(string site, string id, string secret, int port, CancellationToken ct)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        var node = new VirtualNode(client, id, site);
        var options = new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithProtocolVersion(MQTTnet.Formatter.MqttProtocolVersion.V311)
            .WithClientId(id).WithCleanSession().WithCredentials(id, secret).WithKeepAlivePeriod(TimeSpan.FromSeconds(60)).WithTimeout(TimeSpan.FromSeconds(60))
            .WithWillTopic(node._prefix + "state").WithWillPayload("{\"v\":1,\"status\":\"offline\",\"reason\":\"lost\"}")
            .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).WithWillRetain()
            .Build();
        var result = await client.ConnectAsync(options, ct);
        if (result.ResultCode != MqttClientConnectResultCode.Success)
        {
            client.Dispose();
            throw new InvalidOperationException($"{id}: CONNECT refused ({result.ResultCode})");
        }
        client.ApplicationMessageReceivedAsync += e => node.OnCommandAsync(e.ApplicationMessage);
        await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(node._prefix + "cmd", MqttQualityOfServiceLevel.AtLeastOnce).Build(), ct);
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        await node.PublishAsync("state", $$"""{"v":1,"status":"online","ts":{{now}},"type":"streetlight","fw":"1.2.0","configVersion":0,"boot":1,"uptimeS":0}""", retain: true, ct);
        return node;
    }

    /// <summary>The next message's <c>seq</c> (protocol.md §5.4: one counter for telemetry, events and acks).</summary>
    public long NextSeq() => Interlocked.Increment(ref _seq);

    /// <summary>Publishes telemetry number <paramref name="seq"/> (QoS 1: returns after the gateway's PUBACK).</summary>
    public async Task PublishTelemetryAsync(long seq, CancellationToken ct)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var payload = $$"""{"v":1,"type":"streetlight","ts":{{now}},"boot":1,"seq":{{seq}},"level":{{seq % 101}},"source":"schedule","watts":38.4,"volts":230.1,"energyWh":{{412873 + seq}},"burnHours":10233.4,"switches":2871,"faults":[]}""";
        await PublishAsync("telemetry", payload, retain: false, ct);
    }

    private async Task OnCommandAsync(MqttApplicationMessage message)
    {
        string? id;
        try
        {
            using var command = JsonDocument.Parse(Encoding.UTF8.GetString(message.Payload));
            id = command.RootElement.TryGetProperty("id", out var value) ? value.GetString() : null;
        }
        catch (JsonException)
        {
            return; // a real node would publish message.rejected; the gateway never sends such a command
        }
        if (id is null) return;
        var seq = NextSeq();
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        // Not awaited inside the receive handler's own PUBACK flow: MQTTnet delivers the next message meanwhile.
        _ = Task.Run(async () =>
        {
            try
            {
                await PublishAsync("cmd/ack", $$"""{"v":1,"id":{{JsonSerializer.Serialize(id)}},"result":"ok","ts":{{now}},"boot":1,"seq":{{seq}}}""", retain: false, CancellationToken.None);
                Interlocked.Increment(ref Acked);
            }
            catch (Exception)
            {
                // The run is stopping (client disconnected): a lost ack shows as an unfinished command in the report.
            }
        });
    }

    private Task PublishAsync(string leaf, string payload, bool retain, CancellationToken ct) => _client.PublishAsync(
        new MqttApplicationMessageBuilder().WithTopic(_prefix + leaf).WithPayload(payload).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).WithRetainFlag(retain).Build(), ct);

    public async ValueTask DisposeAsync()
    {
        try
        {
            // A clean DISCONNECT: the gateway publishes no will, so the end of the run raises no offline alarms.
            if (_client.IsConnected) await _client.DisconnectAsync();
        }
        catch (Exception)
        {
        }
        _client.Dispose();
    }
}
