using System;
using System.Globalization;
using System.Text.Unicode;
using MQTTnet.Exceptions;

namespace Edge.Gateway.Broker.Exposure;

/// <summary>Thrown by <see cref="PacketFrameGuard"/>; MQTTnet ends the connection on any protocol violation.</summary>
public sealed class PacketRejectedException(string reason, string message) : MqttProtocolViolationException(message)
{
    /// <summary>Metric label: too_large, bad_topic or bad_length.</summary>
    public string Reason { get; } = reason;
}

/// <summary>
/// Follows the MQTT framing of one connection's inbound bytes as MQTTnet reads them, and rejects a packet the
/// moment its fixed header is complete if its remaining length exceeds the limit for its type.
///
/// Why here: MQTTnet 5.2 has no server-side maximum packet size. Its MqttChannelAdapter reads the fixed header,
/// then allocates <c>new byte[RemainingLength]</c> and fills it (Source/MQTTnet/Adapter/MqttChannelAdapter.cs,
/// ReceiveAsync) — a CONNECT announcing 255 MB costs 255 MB before anyone is authenticated. The adapter reads
/// the length bytes through the channel, so throwing from the read that delivers the last length byte stops the
/// packet before that allocation.
///
/// It also checks a PUBLISH's topic name on the raw bytes, before MQTTnet decodes it (MQTTnet's decoder replaces
/// ill-formed UTF-8 with U+FFFD, so the broker's handlers could no longer tell): MQTT 3.1.1 requires the server
/// to close the connection for ill-formed UTF-8 or U+0000 [MQTT-1.5.3-1], [MQTT-1.5.3-2], and a topic name must
/// not contain the wildcards + and # [MQTT-3.3.2-2] (a protocol violation, which closes the connection, §4.8).
/// One instance per connection; MQTTnet reads a connection from one loop, so no locking.
/// </summary>
public sealed class PacketFrameGuard(BrokerOptions options)
{
    const int Publish = 3;

    enum Part { TypeByte, Length, TopicLength, Topic, Body }

    readonly BrokerLimitsOptions _limits = options.Limits;
    readonly int _maxPublish = options.MaxPublishPacketBytes;
    Part _part;
    int _type;
    int _remaining;      // while in Length: the value decoded so far; afterwards: bytes of this packet still to come
    int _lengthBytes;
    int _topicLength;
    int _topicFilled;
    byte[] _topic = [];
    long _packets;

    /// <summary>Feeds bytes just read from the connection; throws <see cref="PacketRejectedException"/> at the first violation.</summary>
    public void Inspect(ReadOnlySpan<byte> data)
    {
        var i = 0;
        while (i < data.Length)
        {
            switch (_part)
            {
                case Part.TypeByte:
                    _type = data[i++] >> 4;
                    _remaining = 0;
                    _lengthBytes = 0;
                    _part = Part.Length;
                    break;
                case Part.Length:
                    ReadLengthByte(data[i++]);
                    break;
                case Part.TopicLength:
                    _topicLength = (_topicLength << 8) | data[i++];
                    _topicFilled++;
                    if (--_remaining == 0) { EndPacket(); break; }
                    if (_topicFilled == 2) StartTopic();
                    break;
                case Part.Topic:
                {
                    var n = Math.Min(Math.Min(_topicLength - _topicFilled, _remaining), data.Length - i);
                    data.Slice(i, n).CopyTo(_topic.AsSpan(_topicFilled));
                    _topicFilled += n;
                    _remaining -= n;
                    i += n;
                    if (_topicFilled == _topicLength) CheckTopic(_topic.AsSpan(0, _topicLength));
                    if (_remaining == 0) EndPacket();
                    else if (_topicFilled == _topicLength) _part = Part.Body;
                    break;
                }
                default:
                {
                    var n = Math.Min(_remaining, data.Length - i);
                    _remaining -= n;
                    i += n;
                    if (_remaining == 0) EndPacket();
                    break;
                }
            }
        }
    }

    void ReadLengthByte(byte b)
    {
        // MQTT 3.1.1 §2.2.3: seven bits per byte, least significant first, at most four bytes.
        _remaining |= (b & 0x7F) << (7 * _lengthBytes);
        _lengthBytes++;
        if ((b & 0x80) != 0)
        {
            if (_lengthBytes == 4) throw new PacketRejectedException("bad_length", "remaining length longer than four bytes (MQTT 3.1.1 §2.2.3)");
            // Reject as soon as the length can no longer fit, before the remaining length bytes arrive.
            if (_remaining > Limit()) throw TooLarge("more than " + _remaining);
            return;
        }
        if (_remaining > Limit()) throw TooLarge(_remaining.ToString(CultureInfo.InvariantCulture));
        _packets++;
        if (_remaining == 0) { _part = Part.TypeByte; return; }
        _topicLength = 0;
        _topicFilled = 0;
        _part = _type == Publish ? Part.TopicLength : Part.Body;
    }

    void StartTopic()
    {
        _topicFilled = 0;
        // An empty topic is the decoder's business (MQTT 5 topic aliases allow it; 3.1.1 does not).
        if (_topicLength == 0) { _part = Part.Body; return; }
        // Bounded: no larger than the rest of this packet, which is within its limit.
        var size = Math.Min(_topicLength, _remaining);
        if (_topic.Length < size) _topic = new byte[size];
        _part = Part.Topic;
    }

    void EndPacket() => _part = Part.TypeByte;

    int Limit() => _packets == 0
        ? _limits.MaxConnectPacketBytes // nothing is authenticated before the first packet, which must be CONNECT
        : _type switch
        {
            1 => _limits.MaxConnectPacketBytes,
            Publish => _maxPublish,
            8 or 10 => _limits.MaxSubscribePacketBytes,
            _ => _limits.MaxOtherPacketBytes,
        };

    PacketRejectedException TooLarge(string size) => new("too_large", $"{PacketName(_type)} of {size} bytes exceeds the limit of {Limit()}");

    static void CheckTopic(ReadOnlySpan<byte> topic)
    {
        if (!Utf8.IsValid(topic)) throw new PacketRejectedException("bad_topic", "PUBLISH topic is not well-formed UTF-8 [MQTT-1.5.3-1]");
        if (topic.Contains((byte)0)) throw new PacketRejectedException("bad_topic", "PUBLISH topic contains U+0000 [MQTT-1.5.3-2]");
        if (topic.IndexOfAny((byte)'+', (byte)'#') >= 0) throw new PacketRejectedException("bad_topic", "PUBLISH topic contains a wildcard [MQTT-3.3.2-2]");
    }

    static string PacketName(int type) => type switch
    {
        1 => "CONNECT",
        3 => "PUBLISH",
        8 => "SUBSCRIBE",
        10 => "UNSUBSCRIBE",
        _ => "packet type " + type,
    };
}
