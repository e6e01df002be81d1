using System;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using Edge.Firmware.Host.Link;
using Edge.Firmware.Runtime;
using Edge.Node.IntegrationTests.Mosquitto;
using Microsoft.Extensions.Logging;

namespace Edge.Node.IntegrationTests;

/// <summary>
/// What a node logs when it disconnects on purpose while subscribes are still in flight (a node stopping, the demo's
/// Ctrl+C): those fail as a matter of course and are not reported as warnings. A broker that accepts the connection and
/// never answers a SUBSCRIBE keeps them in flight for certain.
/// </summary>
public sealed class MqttNetLinkShutdownTests
{
    [Fact]
    public async Task Subscribes_still_in_flight_when_the_node_disconnects_on_purpose_are_no_warning()
    {
        using var broker = new SilentBroker();
        var log = new RecordingLogger();
        using var link = new MqttNetLink(log);
        link.BeginConnect(new LinkOptions { Host = "127.0.0.1", Port = broker.Port, ClientId = "sl-0042", Username = "sl-0042", Password = "secret" });
        await Wait.Until(() => link.State != LinkState.Connecting, "the connect attempt to finish");
        Assert.Equal(LinkState.Connected, link.State);

        link.Subscribe("edge/kalamaki/sl-0042/cmd");
        link.Subscribe("edge/kalamaki/sl-0042/config");
        await Wait.Until(() => broker.SubscribesSeen >= 2, "both SUBSCRIBEs at the broker");
        link.Disconnect();
        await link.WhenIdleAsync();
        await Wait.Until(() => log.Count(LogLevel.Debug, "already closed") >= 2, "both subscribes to fail");

        Assert.Equal(0, log.Count(LogLevel.Warning, ""));
        Assert.Equal("", link.LastError);
        Assert.Equal(LinkState.Disconnected, link.State);
    }

    /// <summary>Accepts one MQTT connection, answers its CONNECT and nothing else; counts SUBSCRIBE packets (§3.8) seen.</summary>
    private sealed class SilentBroker : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private int _subscribes;

        public SilentBroker()
        {
            _listener.Start();
            _ = ServeAsync();
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;
        public int SubscribesSeen => Volatile.Read(ref _subscribes);

        private async Task ServeAsync()
        {
            try
            {
                using var socket = await _listener.AcceptSocketAsync(_stop.Token);
                using var stream = new NetworkStream(socket);
                var first = true;
                while (true)
                {
                    var type = await ReadByteAsync(stream);
                    int length = 0, shift = 0, b;
                    do { b = await ReadByteAsync(stream); length |= (b & 0x7F) << shift; shift += 7; } while ((b & 0x80) != 0);
                    for (var i = 0; i < length; i++) await ReadByteAsync(stream);
                    if (first) await stream.WriteAsync(new byte[] { 0x20, 0x02, 0x00, 0x00 }, _stop.Token); // CONNACK, accepted
                    else if (type >> 4 == 8) Interlocked.Increment(ref _subscribes);
                    first = false;
                }
            }
            catch (Exception e) when (e is OperationCanceledException or System.IO.IOException or SocketException or System.IO.EndOfStreamException)
            {
                // the node hung up, or the test ended
            }
        }

        private async Task<int> ReadByteAsync(NetworkStream stream)
        {
            var one = new byte[1];
            if (await stream.ReadAsync(one, _stop.Token) == 0) throw new System.IO.EndOfStreamException();
            return one[0];
        }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
            _stop.Dispose();
        }
    }

    private sealed class RecordingLogger : ILogger
    {
        private readonly ConcurrentQueue<(LogLevel Level, string Text)> _entries = new();

        public int Count(LogLevel level, string containing)
        {
            var n = 0;
            foreach (var (entryLevel, text) in _entries) if (entryLevel == level && text.Contains(containing, StringComparison.Ordinal)) n++;
            return n;
        }

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            => _entries.Enqueue((logLevel, formatter(state, exception)));
    }
}
