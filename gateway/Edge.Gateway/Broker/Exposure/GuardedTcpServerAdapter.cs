using System;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;
using MQTTnet.Adapter;
using MQTTnet.Diagnostics.Logger;
using MQTTnet.Formatter;
using MQTTnet.Implementations;
using MQTTnet.Server;

namespace Edge.Gateway.Broker.Exposure;

/// <summary>
/// The embedded broker's TCP (and TLS) listener, in place of MQTTnet's own MqttTcpServerAdapter: the same sockets,
/// TLS handshake, MqttTcpChannel and MqttChannelAdapter, with a <see cref="GuardedChannel"/> between them so every
/// packet is size-checked before MQTTnet buffers it (MQTTnet's listener builds the channel internally and offers
/// no hook for that). It also bounds the TLS handshake by the connect timeout; the CONNECT itself is bounded by
/// MqttServerOptions.DefaultCommunicationTimeout, which MQTTnet applies to receiving the first packet.
/// Listens on the endpoints of the MqttServerOptions it is started with (IPv4 and IPv6 sockets, as MQTTnet does).
/// </summary>
public sealed class GuardedTcpServerAdapter(BrokerOptions options, ExposureLog exposureLog, ILogger logger) : IMqttServerAdapter
{
    readonly List<Socket> _listeners = [];
    CancellationTokenSource? _stopping;

    public Func<IMqttChannelAdapter, Task>? ClientHandler { get; set; }

    public Task StartAsync(MqttServerOptions serverOptions, IMqttNetLogger mqttLogger)
    {
        if (_stopping is not null) throw new InvalidOperationException("already started");
        _stopping = new CancellationTokenSource();
        if (serverOptions.DefaultEndpointOptions.IsEnabled) Listen(serverOptions, serverOptions.DefaultEndpointOptions, mqttLogger);
        if (serverOptions.TlsEndpointOptions.IsEnabled) Listen(serverOptions, serverOptions.TlsEndpointOptions, mqttLogger);
        return Task.CompletedTask;
    }

    void Listen(MqttServerOptions serverOptions, MqttServerTcpEndpointBaseOptions endpoint, IMqttNetLogger mqttLogger)
    {
        foreach (var address in new[] { endpoint.BoundInterNetworkAddress, endpoint.BoundInterNetworkV6Address })
        {
            if (address.Equals(IPAddress.None)) continue;
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                if (address.AddressFamily == AddressFamily.InterNetworkV6) socket.DualMode = false; // the IPv4 socket has the port for IPv4
                socket.NoDelay = endpoint.NoDelay;
                if (endpoint.ReuseAddress) socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
                if (endpoint.LingerState is { } linger) socket.LingerState = linger;
                if (endpoint.KeepAlive is { } keepAlive) socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, keepAlive);
                socket.Bind(new IPEndPoint(address, endpoint.Port));
                socket.Listen(endpoint.ConnectionBacklog);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
            _listeners.Add(socket);
            _ = AcceptLoopAsync(socket, serverOptions, endpoint, mqttLogger, _stopping!.Token);
        }
    }

    async Task AcceptLoopAsync(Socket listener, MqttServerOptions serverOptions, MqttServerTcpEndpointBaseOptions endpoint, IMqttNetLogger mqttLogger, CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync(stopping).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException exception)
            {
                // e.g. out of file descriptors: wait a little instead of spinning.
                logger.LogWarning("MQTT listener: accept failed: {Error}", exception.SocketErrorCode);
                await Task.Delay(100, CancellationToken.None).ConfigureAwait(false);
                continue;
            }
            _ = Task.Run(() => ServeAsync(client, serverOptions, endpoint, mqttLogger), CancellationToken.None);
        }
    }

    async Task ServeAsync(Socket socket, MqttServerOptions serverOptions, MqttServerTcpEndpointBaseOptions endpoint, IMqttNetLogger mqttLogger)
    {
        EndPoint? remote = null;
        Stream? stream = null;
        try
        {
            remote = socket.RemoteEndPoint;
            socket.NoDelay = endpoint.NoDelay;
            stream = new NetworkStream(socket, ownsSocket: true);
            X509Certificate2? clientCertificate = null;
            if (endpoint is MqttServerTlsTcpEndpointOptions tls)
            {
                var ssl = new SslStream(stream, leaveInnerStreamOpen: false, tls.RemoteCertificateValidationCallback);
                stream = ssl;
                using var handshake = new CancellationTokenSource(TimeSpan.FromSeconds(options.Limits.ConnectTimeoutSeconds));
                await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
                {
                    ServerCertificate = tls.CertificateProvider.GetCertificate(),
                    ClientCertificateRequired = tls.ClientCertificateRequired,
                    EnabledSslProtocols = tls.SslProtocol,
                    CertificateRevocationCheckMode = tls.CheckCertificateRevocation ? X509RevocationMode.Online : X509RevocationMode.NoCheck,
                    EncryptionPolicy = EncryptionPolicy.RequireEncryption,
                    CipherSuitesPolicy = tls.CipherSuitesPolicy,
                }, handshake.Token).ConfigureAwait(false);
                clientCertificate = ssl.RemoteCertificate switch
                {
                    null => null,
                    X509Certificate2 certificate => certificate,
                    var other => X509CertificateLoader.LoadCertificate(other.Export(X509ContentType.Cert)),
                };
            }

            if (ClientHandler is not { } handler) return;
            var channel = new GuardedChannel(new MqttTcpChannel(stream, socket.LocalEndPoint, remote, clientCertificate), new PacketFrameGuard(options), exposureLog);
            var formatter = new MqttPacketFormatterAdapter(new MqttBufferWriter(serverOptions.WriterBufferSize, serverOptions.WriterBufferSizeMax));
            using var adapter = new MqttChannelAdapter(channel, formatter, mqttLogger) { AllowPacketFragmentation = endpoint.AllowPacketFragmentation };
            await handler(adapter).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is IOException or SocketException or AuthenticationException or OperationCanceledException or ObjectDisposedException)
        {
            // The peer hung up, or failed or stalled the TLS handshake: its problem, not the gateway's.
            logger.LogDebug("MQTT connection from {Endpoint} ended: {Error}", remote, exception.Message);
        }
        catch (Exception exception)
        {
            logger.LogError(exception, "MQTT connection from {Endpoint} failed", remote);
        }
        finally
        {
            if (stream is not null) await stream.DisposeAsync().ConfigureAwait(false);
            else socket.Dispose();
        }
    }

    public Task StopAsync()
    {
        Close();
        return Task.CompletedTask;
    }

    void Close()
    {
        _stopping?.Cancel();
        foreach (var listener in _listeners) listener.Dispose();
        _listeners.Clear();
        _stopping?.Dispose();
        _stopping = null;
    }

    public void Dispose() => Close();
}
