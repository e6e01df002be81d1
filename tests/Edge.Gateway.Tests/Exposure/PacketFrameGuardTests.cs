using System;
using System.Linq;
using System.Text;
using Edge.Gateway.Broker.Exposure;

namespace Edge.Gateway.Tests.Exposure;

/// <summary>
/// The guard follows MQTT framing (MQTT 3.1.1 §2.2) however the bytes are split into reads: a TCP or TLS read may
/// return any part of a packet.
/// </summary>
public sealed class PacketFrameGuardTests
{
    static readonly byte[] Topic = Encoding.ASCII.GetBytes(TestGateway.Topic("sl-0001", "telemetry"));

    static byte[] Session(params byte[][] packets) => packets.SelectMany(p => p).ToArray();

    static void Feed(byte[] stream, int chunk)
    {
        var guard = new PacketFrameGuard(new BrokerOptions());
        for (var i = 0; i < stream.Length; i += chunk) guard.Inspect(stream.AsSpan(i, Math.Min(chunk, stream.Length - i)));
    }

    [Fact]
    public void A_well_formed_session_passes_in_reads_of_any_size()
    {
        var session = Session(
            RawMqtt.Connect(Encoding.ASCII.GetBytes("sl-0001"), "sl-0001", new string('s', 43)),
            RawMqtt.Publish(Topic, 1, new string('x', 4096)),   // the largest node payload, two-byte remaining length
            RawMqtt.PubAck(7),
            RawMqtt.Header(0xC0, 0),                             // PINGREQ
            RawMqtt.Publish(Topic, 2, ""));
        foreach (var chunk in new[] { 1, 2, 3, 5, 7, 64, session.Length }) Feed(session, chunk);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(4096)]
    public void A_wildcard_topic_is_caught_even_when_split_across_reads(int chunk)
    {
        var session = Session(
            RawMqtt.Connect(Encoding.ASCII.GetBytes("sl-0001"), "sl-0001", "secret"),
            RawMqtt.Publish(Topic, 1, "{}"),
            RawMqtt.Publish([.. Topic[..^1], (byte)'#'], 2, "{}"));
        var rejection = Assert.Throws<PacketRejectedException>(() => Feed(session, chunk));
        Assert.Equal("bad_topic", rejection.Reason);
    }

    [Fact]
    public void An_oversize_length_is_rejected_before_its_last_length_byte_is_handed_on()
    {
        var guard = new PacketFrameGuard(new BrokerOptions());
        guard.Inspect(RawMqtt.Connect(Encoding.ASCII.GetBytes("sl-0001"), "sl-0001", "secret"));
        var header = RawMqtt.Header(0x32, 4229); // one byte over the default PUBLISH limit: 0x32 0x85 0x21
        guard.Inspect(header.AsSpan(0, 2));
        Assert.Equal("too_large", Assert.Throws<PacketRejectedException>(() => guard.Inspect(header.AsSpan(2))).Reason);

        var fits = new PacketFrameGuard(new BrokerOptions());
        fits.Inspect(RawMqtt.Connect(Encoding.ASCII.GetBytes("sl-0001"), "sl-0001", "secret"));
        fits.Inspect(RawMqtt.Header(0x32, 4228));
    }

    [Fact]
    public void Before_the_first_packet_everything_is_held_to_the_CONNECT_limit_and_lengths_stop_at_four_bytes()
    {
        Assert.Equal("too_large", Assert.Throws<PacketRejectedException>(() => new PacketFrameGuard(new BrokerOptions()).Inspect(RawMqtt.Header(0x32, 4097))).Reason);
        Assert.Equal("bad_length", Assert.Throws<PacketRejectedException>(() => new PacketFrameGuard(new BrokerOptions()).Inspect(new byte[] { 0x10, 0x80, 0x80, 0x80, 0x80 })).Reason);
    }
}
