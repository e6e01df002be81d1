using System;
using System.Collections.Generic;
using System.IO;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace Edge.Gateway.Tests.Exposure;

/// <summary>
/// A plain TCP socket that writes hand-built MQTT 3.1.1 packets (OASIS MQTT 3.1.1 §2, §3.1, §3.3, §3.8), for
/// what a well-behaved client library refuses to send: huge announced lengths, wildcard or ill-formed topics.
/// </summary>
public sealed class RawMqtt : IDisposable
{
    readonly TcpClient _tcp;
    readonly NetworkStream _stream;

    RawMqtt(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
    }

    public static async Task<RawMqtt> OpenAsync(int port)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", port);
        return new RawMqtt(tcp);
    }

    /// <summary>Opens a connection and logs in as <paramref name="nodeId"/>; fails unless CONNACK says accepted.</summary>
    public static async Task<RawMqtt> LoginAsync(int port, string nodeId, string secret)
    {
        var raw = await OpenAsync(port);
        await raw.SendAsync(Connect(Encoding.UTF8.GetBytes(nodeId), nodeId, secret));
        var connack = await raw.ReadPacketAsync();
        Assert.Equal(new byte[] { 0x20, 0x02, 0x00, 0x00 }, connack);
        return raw;
    }

    /// <summary>Writes; a connection the broker already reset is not an error here (the test looks at what the broker did).</summary>
    public async Task<bool> SendAsync(ReadOnlyMemory<byte> bytes)
    {
        try
        {
            await _stream.WriteAsync(bytes);
            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>Sends <paramref name="count"/> filler bytes in 64 KB writes until the broker stops accepting them.</summary>
    public async Task SendFillerAsync(int count)
    {
        var chunk = new byte[64 * 1024];
        for (var sent = 0; sent < count; sent += chunk.Length)
        {
            if (!await SendAsync(chunk.AsMemory(0, Math.Min(chunk.Length, count - sent)))) return; // one buffer: the test measures allocations
        }
    }

    /// <summary>Reads one whole packet (fixed header included); fails if the connection closes first.</summary>
    public async Task<byte[]> ReadPacketAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var packet = new List<byte> { (byte)await ReadByteAsync(timeout.Token) };
        int length = 0, shift = 0, b;
        do
        {
            b = await ReadByteAsync(timeout.Token);
            packet.Add((byte)b);
            length |= (b & 0x7F) << shift;
            shift += 7;
        } while ((b & 0x80) != 0);
        for (var i = 0; i < length; i++) packet.Add((byte)await ReadByteAsync(timeout.Token));
        return packet.ToArray();
    }

    async Task<int> ReadByteAsync(CancellationToken cancellationToken)
    {
        var one = new byte[1];
        if (await _stream.ReadAsync(one, cancellationToken) == 0) throw new EndOfStreamException("the broker closed the connection");
        return one[0];
    }

    /// <summary>
    /// Reads until the broker closes the connection and returns what it sent before that; throws if it is still
    /// open after <paramref name="guardSeconds"/> (a hang guard, not a timing assertion).
    /// </summary>
    public async Task<byte[]> ReadUntilClosedAsync(int guardSeconds = 15)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(guardSeconds));
        var received = new List<byte>();
        var buffer = new byte[4096];
        try
        {
            while (true)
            {
                var n = await _stream.ReadAsync(buffer, timeout.Token);
                if (n == 0) return received.ToArray();
                received.AddRange(buffer.AsSpan(0, n).ToArray());
            }
        }
        catch (IOException)
        {
            return received.ToArray(); // reset by the broker: closed as well
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"the broker kept the connection open for {guardSeconds} s");
        }
    }

    /// <summary>This end's TCP port (the broker's socket for this connection has it as its remote port).</summary>
    public int LocalPort => ((System.Net.IPEndPoint)_tcp.Client.LocalEndPoint!).Port;

    /// <summary>True while the broker has sent nothing on this connection and has not closed it.</summary>
    public bool HasReceivedNothingAndIsOpen => _tcp.Available == 0 && !_tcp.Client.Poll(0, SelectMode.SelectRead);

    public void Dispose() => _tcp.Dispose();

    /// <summary>CONNECT, protocol level 4, clean session, user name and password (§3.1).</summary>
    public static byte[] Connect(byte[] clientId, string userName, string password)
    {
        var body = new List<byte> { 0x00, 0x04, (byte)'M', (byte)'Q', (byte)'T', (byte)'T', 0x04, 0xC2, 0x00, 0x3C };
        AddString(body, clientId);
        AddString(body, Encoding.UTF8.GetBytes(userName));
        AddString(body, Encoding.UTF8.GetBytes(password));
        return Packet(0x10, body);
    }

    /// <summary>PUBLISH QoS 1 (§3.3) with the topic as raw bytes, so ill-formed UTF-8 can be sent.</summary>
    public static byte[] Publish(byte[] topic, ushort packetId, string payload)
    {
        var body = new List<byte>();
        AddString(body, topic);
        body.Add((byte)(packetId >> 8));
        body.Add((byte)packetId);
        body.AddRange(Encoding.UTF8.GetBytes(payload));
        return Packet(0x32, body);
    }

    /// <summary>Only a fixed header: packet type/flags byte and a remaining length (§2.2.3), no body.</summary>
    public static byte[] Header(byte typeAndFlags, int remainingLength)
    {
        var header = new List<byte> { typeAndFlags };
        AddLength(header, remainingLength);
        return header.ToArray();
    }

    public static byte[] PubAck(ushort packetId) => [0x40, 0x02, (byte)(packetId >> 8), (byte)packetId];

    static byte[] Packet(byte typeAndFlags, List<byte> body)
    {
        var packet = new List<byte> { typeAndFlags };
        AddLength(packet, body.Count);
        packet.AddRange(body);
        return packet.ToArray();
    }

    static void AddLength(List<byte> to, int length)
    {
        do
        {
            var digit = (byte)(length % 128);
            length /= 128;
            to.Add(length > 0 ? (byte)(digit | 0x80) : digit);
        } while (length > 0);
    }

    static void AddString(List<byte> to, byte[] value)
    {
        to.Add((byte)(value.Length >> 8));
        to.Add((byte)value.Length);
        to.AddRange(value);
    }
}
