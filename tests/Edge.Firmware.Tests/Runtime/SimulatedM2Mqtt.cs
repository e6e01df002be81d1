using System;
using System.Collections.Generic;
using Edge.Firmware.Runtime;

namespace Edge.Firmware.Tests.Runtime;

/// <summary>A discrete-event scheduler on a virtual clock: what the worker threads and M2Mqtt's own threads do, in time order.</summary>
internal sealed class VirtualTime
{
    private readonly List<(long At, long Seq, Action Do)> _events = new();
    private long _seq;

    public long Now { get; private set; }

    public void After(long ms, Action action) => _events.Add((Now + ms, _seq++, action));

    /// <summary>Runs every event due up to <paramref name="t"/> (in time, then scheduling order) and sets the clock to it.</summary>
    public void RunUntil(long t)
    {
        while (true)
        {
            int next = -1;
            for (int i = 0; i < _events.Count; i++)
                if (_events[i].At <= t && (next < 0 || _events[i].At < _events[next].At || (_events[i].At == _events[next].At && _events[i].Seq < _events[next].Seq))) next = i;
            if (next < 0) break;
            var e = _events[next];
            _events.RemoveAt(next);
            Now = e.At;
            e.Do();
        }
        Now = t;
    }
}

/// <summary>The network the simulated clients see: DNS, and a broker per address.</summary>
internal sealed class SimulatedNetwork(VirtualTime time)
{
    public readonly VirtualTime Time = time;
    public readonly Dictionary<string, string> Dns = new();
    public readonly Dictionary<string, SimulatedBroker> Brokers = new();
    public int Lookups, ConnectsInFlight, MaxConnectsInFlight;
    private uint _random = 12345;

    /// <summary>Deterministic pseudo-random milliseconds in [0, n).</summary>
    public int Random(int n)
    {
        _random = _random * 1103515245 + 12345;
        return (int)((_random >> 8) % (uint)n);
    }
}

internal sealed class SimulatedBroker
{
    /// <summary>Accepts TCP connections (false: a dead host, TCP connect blocks until its own timeout).</summary>
    public bool Listening = true;
    /// <summary>When CONNACK comes after the CONNECT; negative: never (M2Mqtt gives up after 30 s).</summary>
    public long ConnackAfterMs = 300;
    public int OpenSessions;
}

/// <summary>
/// One nanoFramework.M2Mqtt 5.1.220 MqttClient as it behaves (nanoframework/nanoFramework.m2mqtt,
/// MqttClient.cs and Net/MqttNetworkChannel.cs): the constructor resolves the host name (Dns.GetHostEntry) and
/// keeps the address; Connect blocks through the TCP connect (a dead host: until the TCP timeout, 75 s here) and
/// then up to 30 s for CONNACK (MqttSettings.DefaultTimeout); Disconnect sends DISCONNECT and closes the socket
/// asynchronously, ~200 ms to ~2 s later, whatever socket the client has by then.
/// </summary>
internal sealed class SimulatedM2MqttClient
{
    public const long TcpTimeoutMs = 75000;
    public const long ConnackTimeoutMs = 30000;

    private readonly SimulatedNetwork _net;
    private bool _open;
    private bool _session;

    public SimulatedM2MqttClient(SimulatedNetwork net, string host)
    {
        _net = net;
        net.Lookups++;
        if (!net.Dns.TryGetValue(host, out var address)) throw new InvalidOperationException("no such host: " + host);
        Address = address;
    }

    public string Address { get; }
    public int ConnectCalls { get; private set; }
    public bool Closed { get; private set; }
    public string Error { get; private set; } = "";
    public event Action? ConnectionClosed;

    /// <summary>The blocking Connect, as the worker thread sees it: <paramref name="done"/> runs when it returns.</summary>
    public void Connect(Action<bool> done)
    {
        ConnectCalls++;
        _net.ConnectsInFlight++;
        _net.MaxConnectsInFlight = Math.Max(_net.MaxConnectsInFlight, _net.ConnectsInFlight);
        void Return(bool ok, string error)
        {
            _net.ConnectsInFlight--;
            Error = error;
            done(ok);
        }
        if (!_net.Brokers.TryGetValue(Address, out var broker) || !broker.Listening)
        {
            _net.Time.After(TcpTimeoutMs, () => Return(false, "socket: connection timed out"));
            return;
        }
        _open = true;
        if (broker.ConnackAfterMs < 0)
        {
            _net.Time.After(ConnackTimeoutMs, () => { _open = false; Return(false, "no CONNACK in 30 s"); });
            return;
        }
        _net.Time.After(broker.ConnackAfterMs, () =>
        {
            if (!_open) { Return(false, "socket closed"); return; }
            _session = true;
            broker.OpenSessions++;
            Return(true, "");
        });
    }

    /// <summary>DISCONNECT, then the socket is closed on M2Mqtt's threads a little later.</summary>
    public void Disconnect() => _net.Time.After(200 + _net.Random(1800), Shut);

    /// <summary>Close (the worker closes a client it will not use): synchronous.</summary>
    public void Close()
    {
        Closed = true;
        Shut();
    }

    /// <summary>The broker or the network ends the connection.</summary>
    public void Drop() => Shut();

    private void Shut()
    {
        if (!_open) return;
        _open = false;
        if (_session && _net.Brokers.TryGetValue(Address, out var broker)) broker.OpenSessions--;
        _session = false;
        ConnectionClosed?.Invoke();
    }
}

/// <summary>
/// The link the ESP32 apps use (firmware/Edge.Firmware.Esp32.Drivers/M2MqttLink.cs), connect path only, over
/// <see cref="SimulatedM2MqttClient"/> on <see cref="VirtualTime"/>: a client per attempt, built by the attempt
/// (so the host is resolved each time), one attempt at a time through the core's <see cref="ConnectAttempts"/>,
/// an abandoned attempt closed by its own worker (M2Mqtt's Close takes ~200 ms and more), stale events ignored.
/// </summary>
internal sealed class SimulatedM2MqttLink(SimulatedNetwork net, string host) : IMessageLink
{
    private readonly ConnectAttempts _attempts = new();
    private SimulatedM2MqttClient? _client;
    private int _clientAttempt;

    public readonly List<SimulatedM2MqttClient> Clients = new();
    public ConnectAttempts Attempts => _attempts;
    public SimulatedM2MqttClient? Session => _client;
    public LinkState State { get; private set; }
    public string LastError { get; private set; } = "";

    public void BeginConnect(LinkOptions options)
    {
        if (State != LinkState.Disconnected) return;
        int attempt = _attempts.TryBegin();
        if (attempt == 0)
        {
            LastError = "previous connect attempt still running";
            return;
        }
        State = LinkState.Connecting;
        SimulatedM2MqttClient client;
        try
        {
            client = new SimulatedM2MqttClient(net, host);
        }
        catch (Exception e)
        {
            Finish(attempt, "connect failed: " + e.Message);
            return;
        }
        Clients.Add(client);
        client.ConnectionClosed += () => OnConnectionClosed(client);
        client.Connect(ok =>
        {
            if (ok && _attempts.Connected(attempt))
            {
                _client = client;
                _clientAttempt = attempt;
                State = LinkState.Connected;
                LastError = "";
                return;
            }
            string error = ok ? "connect abandoned by the node" : "connect failed: " + client.Error;
            client.Close();
            net.Time.After(200 + net.Random(1000), () => Finish(attempt, error)); // M2Mqtt's Close sleeps and joins
        });
    }

    private void Finish(int attempt, string error)
    {
        _attempts.Finished(attempt);
        if (State != LinkState.Connecting) return;
        State = LinkState.Disconnected;
        LastError = error;
    }

    public void Disconnect()
    {
        _attempts.Abandon();
        var client = _client;
        _client = null;
        _clientAttempt = 0;
        State = LinkState.Disconnected;
        LastError = "";
        client?.Disconnect();
    }

    private void OnConnectionClosed(SimulatedM2MqttClient client)
    {
        if (client != _client || !_attempts.Closed(_clientAttempt)) return;
        _client = null;
        _clientAttempt = 0;
        State = LinkState.Disconnected;
        LastError = "connection closed by the broker or the network";
    }

    public void Subscribe(string topicFilter) { }
    public int Publish(string topic, byte[] payload, int offset, int count, bool retain) => State == LinkState.Connected ? 1 : 0;
    public bool TryGetAcknowledged(out int publishId) { publishId = 0; return false; }
    public bool TryReceive(InboundMessage message) => false;
}
