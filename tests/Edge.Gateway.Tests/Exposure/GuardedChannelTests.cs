using System;
using System.Buffers;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Edge.Gateway.Broker.Exposure;
using Edge.Gateway.Tests.Metrics;
using Microsoft.Extensions.Logging.Abstractions;
using MQTTnet.Adapter;
using MQTTnet.Channel;
using MQTTnet.Diagnostics.Logger;
using MQTTnet.Formatter;
using MQTTnet.Implementations;
using MQTTnet.Packets;

namespace Edge.Gateway.Tests.Exposure;

/// <summary>
/// The channel between a node's socket and MQTTnet's packet decoder, over a real loopback TCP connection: it reads
/// ahead once a packet has begun, hands MQTTnet the same bytes in the same order, and inspects them as MQTTnet takes them.
/// </summary>
public sealed class GuardedChannelTests : IAsyncLifetime
{
    static readonly byte[] Topic = Encoding.ASCII.GetBytes(TestGateway.Topic("sl-0001", "telemetry"));

    readonly TestMeters _meters = new();
    TcpClient _node = null!;
    CountingChannel _socket = null!;
    GuardedChannel _channel = null!;
    MqttChannelAdapter _adapter = null!;

    public async Task InitializeAsync()
    {
        SQLitePCL.Batteries_V2.Init(); // the gateway's meter also has SQLite's memory gauge, read with the others
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        _node = new TcpClient();
        var accept = listener.AcceptSocketAsync();
        await _node.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
        var socket = await accept;
        _socket = new CountingChannel(new MqttTcpChannel(new NetworkStream(socket, ownsSocket: true), socket.LocalEndPoint, socket.RemoteEndPoint, null));
        var options = new BrokerOptions();
        _channel = new GuardedChannel(_socket, new PacketFrameGuard(options),
            new ExposureLog(options, _meters.Gateway, TimeProvider.System, NullLogger<ExposureLog>.Instance));
        _adapter = new MqttChannelAdapter(_channel, new MqttPacketFormatterAdapter(new MqttBufferWriter(4096, 65536)), MqttNetNullLogger.Instance);
    }

    public Task DisposeAsync()
    {
        _adapter.Dispose();
        _node.Dispose();
        _meters.Dispose();
        return Task.CompletedTask;
    }

    Task Send(params byte[][] packets) => _node.GetStream().WriteAsync(packets.SelectMany(p => p).ToArray()).AsTask();

    async Task<MqttPacket> Receive()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        return await _adapter.ReceivePacketAsync(timeout.Token);
    }

    [Fact]
    public async Task Packets_that_arrive_together_are_decoded_unchanged_from_fewer_socket_reads()
    {
        var payloads = Enumerable.Range(1, 4).Select(i => TestGateway.Telemetry(1, i)).ToArray();
        await Send(RawMqtt.Connect(Encoding.ASCII.GetBytes("sl-0001"), "sl-0001", "secret"));
        Assert.IsType<MqttConnectPacket>(await Receive());
        var readsBefore = _socket.Reads;

        await Send([.. payloads.Select((p, i) => RawMqtt.Publish(Topic, (ushort)(i + 1), p)),
            RawMqtt.Publish(Topic, 5, new string('x', 3000))]); // a body larger than the read-ahead buffer, after a burst

        for (var i = 0; i < payloads.Length; i++)
        {
            var publish = Assert.IsType<MqttPublishPacket>(await Receive());
            Assert.Equal((ushort)(i + 1), publish.PacketIdentifier);
            Assert.Equal(Encoding.ASCII.GetString(Topic), publish.Topic);
            Assert.Equal(payloads[i], Encoding.UTF8.GetString(publish.Payload));
        }
        var large = Assert.IsType<MqttPublishPacket>(await Receive());
        Assert.Equal(new string('x', 3000), Encoding.UTF8.GetString(large.Payload));
        // MQTTnet asks for each packet in three reads (type and length byte, length, body): fifteen system calls for these five.
        Assert.True(_socket.Reads - readsBefore <= 8, $"{_socket.Reads - readsBefore} socket reads for five packets");
        Assert.Equal(0, _channel.BufferedBytes);
    }

    [Fact]
    public async Task A_node_waiting_between_packets_holds_no_read_ahead_buffer()
    {
        await Send(RawMqtt.Connect(Encoding.ASCII.GetBytes("sl-0001"), "sl-0001", "secret"), RawMqtt.Publish(Topic, 1, TestGateway.Telemetry(1, 1)));
        Assert.IsType<MqttConnectPacket>(await Receive());
        Assert.IsType<MqttPublishPacket>(await Receive());

        var next = Receive();
        await Task.Delay(200); // the read is now waiting on the socket (a guard against racing it, not a timing assertion)
        Assert.False(next.IsCompleted);
        Assert.False(_channel.HoldsReadAheadBuffer);

        await Send(RawMqtt.Publish(Topic, 2, TestGateway.Telemetry(1, 2)));
        Assert.Equal((ushort)2, Assert.IsType<MqttPublishPacket>(await next).PacketIdentifier);
        Assert.False(_channel.HoldsReadAheadBuffer);
    }

    [Fact]
    public async Task A_node_stalled_in_the_middle_of_a_packet_holds_no_read_ahead_buffer()
    {
        var publish = RawMqtt.Publish(Topic, 1, TestGateway.Telemetry(1, 1));
        await Send(RawMqtt.Connect(Encoding.ASCII.GetBytes("sl-0001"), "sl-0001", "secret"), publish[..10]);
        Assert.IsType<MqttConnectPacket>(await Receive());

        var next = Receive();
        await Task.Delay(200); // MQTTnet now waits for the rest of the body (a guard against racing it, not a timing assertion)
        Assert.False(next.IsCompleted);
        Assert.False(_channel.HoldsReadAheadBuffer);

        await Send(publish[10..]);
        Assert.Equal(TestGateway.Telemetry(1, 1), Encoding.UTF8.GetString(Assert.IsType<MqttPublishPacket>(await next).Payload));
    }

    [Fact]
    public async Task A_violation_later_in_the_same_read_closes_the_connection_only_after_the_packets_before_it()
    {
        await Send(RawMqtt.Connect(Encoding.ASCII.GetBytes("sl-0001"), "sl-0001", "secret"),
            RawMqtt.Publish(Topic, 1, TestGateway.Telemetry(1, 1)),
            RawMqtt.Publish([.. Topic[..^1], (byte)'#'], 2, "{}"));
        Assert.IsType<MqttConnectPacket>(await Receive());
        Assert.Equal((ushort)1, Assert.IsType<MqttPublishPacket>(await Receive()).PacketIdentifier);
        var rejection = await Assert.ThrowsAnyAsync<Exception>(Receive);
        var cause = rejection;
        while (cause is not PacketRejectedException && cause.InnerException is { } inner) cause = inner; // MQTTnet wraps what a read throws
        Assert.Equal("bad_topic", Assert.IsType<PacketRejectedException>(cause).Reason);
        Assert.Equal(1, _meters.Reader.Get("edge.gateway.mqtt.connections.closed", "reason", "bad_topic"));
    }

    [Fact]
    public async Task The_peer_closing_mid_packet_is_the_end_of_the_stream_not_a_packet()
    {
        var publish = RawMqtt.Publish(Topic, 1, TestGateway.Telemetry(1, 1));
        await Send(RawMqtt.Connect(Encoding.ASCII.GetBytes("sl-0001"), "sl-0001", "secret"), publish[..(publish.Length / 2)]);
        Assert.IsType<MqttConnectPacket>(await Receive());
        _node.Client.Shutdown(SocketShutdown.Send);
        Assert.Null(await Receive()); // MQTTnet's adapter reports a connection closed mid-packet as no packet
        Assert.False(_channel.HoldsReadAheadBuffer);
    }

    /// <summary>Counts the reads that reach the socket.</summary>
    sealed class CountingChannel(IMqttChannel inner) : IMqttChannel
    {
        int _reads;
        public int Reads => Volatile.Read(ref _reads);
        public X509Certificate2 ClientCertificate => inner.ClientCertificate;
        public EndPoint RemoteEndPoint => inner.RemoteEndPoint;
        public EndPoint LocalEndPoint => inner.LocalEndPoint;
        public bool IsSecureConnection => inner.IsSecureConnection;
        public Task ConnectAsync(CancellationToken cancellationToken) => inner.ConnectAsync(cancellationToken);
        public Task DisconnectAsync(CancellationToken cancellationToken) => inner.DisconnectAsync(cancellationToken);

        public Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            if (count > 0) Interlocked.Increment(ref _reads); // a zero-byte read only waits for data
            return inner.ReadAsync(buffer, offset, count, cancellationToken);
        }

        public Task WriteAsync(ReadOnlySequence<byte> buffer, bool isEndOfPacket, CancellationToken cancellationToken) => inner.WriteAsync(buffer, isEndOfPacket, cancellationToken);
        public void Dispose() => inner.Dispose();
    }
}
