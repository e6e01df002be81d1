using System.Collections.Generic;
using System.Text;
using Edge.Firmware.Lighting;
using Edge.Firmware.Runtime;

namespace Edge.Firmware.Tests.Runtime;

/// <summary>Records survive "reboots": a new node over the same storage sees them.</summary>
internal sealed class MemoryStorage : IStorage
{
    // Each record keeps a buffer that only grows, so rewriting it in steady state allocates nothing.
    private readonly Dictionary<string, (byte[] Data, int Length)> _records = new();
    public int Writes;
    public readonly Dictionary<string, int> WritesByKey = new();

    public int WritesOf(string key) => WritesByKey.TryGetValue(key, out int n) ? n : 0;

    public bool Has(string key) => _records.ContainsKey(key);

    public int Read(string key, byte[] buffer)
    {
        if (!_records.TryGetValue(key, out var r)) return -1;
        if (r.Length > buffer.Length) return r.Length;
        System.Array.Copy(r.Data, buffer, r.Length);
        return r.Length;
    }

    public void Write(string key, byte[] buffer, int count)
    {
        Writes++;
        WritesByKey[key] = WritesOf(key) + 1;
        if (!_records.TryGetValue(key, out var r) || r.Data.Length < count) r = (new byte[System.Math.Max(count, 64)], 0);
        System.Array.Copy(buffer, r.Data, count);
        _records[key] = (r.Data, count);
    }
}

internal sealed class FakeClock : IClock
{
    public long MonotonicMs { get; set; }
    public long Utc;
    public bool IsSet { get; set; } = true;
    public long UtcSeconds => Utc + MonotonicMs / 1000;
    public int Sets;

    public void SetUtc(long utcSeconds, int milliseconds)
    {
        Utc = utcSeconds - MonotonicMs / 1000;
        IsSet = true;
        Sets++;
    }

    public void Advance(long ms) => MonotonicMs += ms;
}

internal sealed class FakePlatform : IPlatform
{
    public bool NetworkUp = true;
    public int NetworkChecks, NetworkResets, Reboots;
    public bool EnsureNetwork() { NetworkChecks++; return NetworkUp; }
    public void ResetNetwork() => NetworkResets++;
    public void Reboot() => Reboots++;
    public void DeepSleep(long seconds) { }
    public string ResetReason { get; set; } = "power-on";
    public int Rssi => -60;
    public long FreeHeap => 60000;
}

internal sealed class FakeSntp : ISntpClient
{
    public bool Reachable;
    public long Time = 1767225600;
    public int Queries;

    public bool TryQuery(string server, out long utcSeconds, out int milliseconds)
    {
        Queries++;
        utcSeconds = Time;
        milliseconds = 0;
        return Reachable;
    }
}

/// <summary>
/// An in-memory broker side of the link. Publishes are copied into preallocated slots (so a node's
/// steady state can be measured for allocation); acks are released by the test or automatically.
/// </summary>
internal sealed class FakeLink : IMessageLink
{
    public sealed class Sent
    {
        public string Topic = "";
        public byte[] Payload = new byte[4096];
        public int Length;
        public bool Retain;
        public int Id;
        public int SubscribedBefore;
        public string Text => Encoding.UTF8.GetString(Payload, 0, Length);
    }

    public LinkState State { get; private set; }
    public string LastError { get; private set; } = "";
    public bool AcceptConnect = true;
    public bool AutoAck = true;
    public bool KeepHistory = true;
    public LinkOptions? Options;
    public int Connects;
    public readonly List<string> Subscriptions = new();
    public readonly List<Sent> History = new();
    public readonly Queue<int> PendingAcks = new(64);
    private readonly Queue<(string Topic, byte[] Payload, bool Retained)> _inbox = new();
    private readonly Sent _scratch = new();
    private int _nextId;

    public void BeginConnect(LinkOptions options)
    {
        Options = options;
        Connects++;
        if (AcceptConnect) State = LinkState.Connected;
        else { State = LinkState.Disconnected; LastError = "refused"; }
    }

    public int Disconnects;
    public void Disconnect() { Disconnects++; State = LinkState.Disconnected; PendingAcks.Clear(); }

    /// <summary>The broker drops the connection (the will would be published).</summary>
    public void Drop() { State = LinkState.Disconnected; LastError = "dropped"; PendingAcks.Clear(); }

    public void Subscribe(string topicFilter) => Subscriptions.Add(topicFilter);

    public int Publish(string topic, byte[] payload, int offset, int count, bool retain)
    {
        if (State != LinkState.Connected) return 0;
        int id = ++_nextId;
        if (_nextId == int.MaxValue) _nextId = 0;
        Sent s = KeepHistory ? new Sent() : _scratch;
        s.Topic = topic;
        System.Array.Copy(payload, offset, s.Payload, 0, count);
        s.Length = count;
        s.Retain = retain;
        s.Id = id;
        s.SubscribedBefore = Subscriptions.Count;
        if (KeepHistory) History.Add(s);
        if (AutoAck) PendingAcks.Enqueue(id);
        return id;
    }

    public bool TryGetAcknowledged(out int publishId)
    {
        if (State == LinkState.Connected && PendingAcks.Count > 0) { publishId = PendingAcks.Dequeue(); return true; }
        publishId = 0;
        return false;
    }

    /// <summary>Hands each payload's own array over (as the ESP32's M2MqttLink does) instead of copying it.</summary>
    public bool HandOver;

    public bool TryReceive(InboundMessage message)
    {
        if (_inbox.Count == 0) return false;
        var (topic, payload, retained) = _inbox.Dequeue();
        message.Topic = topic;
        if (HandOver)
        {
            message.Take(payload);
        }
        else
        {
            payload.CopyTo(message.Payload, 0);
            message.Length = payload.Length;
        }
        message.Retained = retained;
        return true;
    }

    public void Deliver(string topic, string json, bool retained = false) => _inbox.Enqueue((topic, Encoding.UTF8.GetBytes(json), retained));

    /// <summary>Delivers this very array (with <see cref="HandOver"/>, the runtime gets it, as from M2Mqtt).</summary>
    public void Deliver(string topic, byte[] payload, bool retained) => _inbox.Enqueue((topic, payload, retained));

    public List<Sent> On(string leaf) => History.FindAll(s => s.Topic.EndsWith("/" + leaf));
}

internal sealed class FakePwm : IPwmOutput
{
    public float Duty = -1;
    public void SetDutyCycle(float duty) => Duty = duty;
}

/// <summary>A lamp whose power follows the duty cycle, unless it is broken.</summary>
internal sealed class FakeMeter : IPowerMeter
{
    private readonly FakePwm _pwm;
    public bool Broken { get; set; }
    public FakeMeter(FakePwm pwm) { _pwm = pwm; }

    public bool TryRead(out float watts, out float volts)
    {
        watts = Broken ? 0.2f : (_pwm.Duty <= 0 ? 0.3f : 60f * _pwm.Duty);
        volts = 230f;
        return true;
    }
}

internal static class Nodes
{
    public const long Jan2026 = 1767225600; // 2026-01-01T00:00:00Z

    public static NodeOptions Options(string nodeId = "sl-0042") => new()
    {
        Site = "kalamaki",
        NodeId = nodeId,
        Secret = "secret-" + nodeId,
        BrokerHost = "gw",
        Latitude = 37.89,
        Longitude = 23.73,
        JitterSeed = 42,
    };
}
