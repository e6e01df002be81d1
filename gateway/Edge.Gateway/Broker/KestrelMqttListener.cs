using System;
using System.IO.Pipelines;
using System.Net;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Edge.Gateway.Broker.Exposure;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet.AspNetCore;

namespace Edge.Gateway.Broker;

/// <summary>
/// Gateway:Broker:Transport = kestrel: the embedded broker's ports served by the gateway's own Kestrel server
/// (MQTTnet.AspNetCore's <see cref="MqttConnectionHandler"/>, System.IO.Pipelines) instead of MQTTnet's listener.
/// The same ports, bind address and TLS settings as the "mqttnet" transport; every connection's input passes the
/// same <see cref="PacketFrameGuard"/>; the TLS handshake is bounded by the connect timeout. The
/// <see cref="MqttConnectionHandler"/> singleton is the MqttServer's adapter (<see cref="EmbeddedBroker"/>).
/// </summary>
public static class KestrelMqttListener
{
    public static void Listen(KestrelServerOptions kestrel, BrokerOptions broker)
    {
        Endpoint(kestrel, broker, broker.Port, null);
        if (broker.TlsPort > 0) Endpoint(kestrel, broker, broker.TlsPort, BrokerCertificate.Load(broker));
    }

    static void Endpoint(KestrelServerOptions kestrel, BrokerOptions broker, int port, X509Certificate2? certificate)
    {
        void Configure(ListenOptions endpoint)
        {
            // Not HTTP: no ALPN protocol is offered in the TLS handshake.
            endpoint.Protocols = HttpProtocols.None;
            if (certificate is not null)
            {
                endpoint.UseHttps(new HttpsConnectionAdapterOptions
                {
                    ServerCertificate = certificate,
                    SslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                    HandshakeTimeout = TimeSpan.FromSeconds(broker.Limits.ConnectTimeoutSeconds),
                });
            }
            var log = endpoint.ApplicationServices.GetRequiredService<ExposureLog>();
            endpoint.Use(next => connection =>
            {
                var transport = connection.Transport;
                connection.Transport = new GuardedTransport(transport, new GuardedPipeReader(transport.Input, new PacketFrameGuard(broker), log, connection.RemoteEndPoint));
                return next(connection);
            });
            endpoint.UseMqtt();
        }

        if (string.Equals(broker.BindAddress, "any", StringComparison.OrdinalIgnoreCase)) kestrel.ListenAnyIP(port, Configure);
        else kestrel.Listen(IPAddress.Parse(broker.BindAddress), port, Configure);
    }

    sealed class GuardedTransport(IDuplexPipe inner, PipeReader input) : IDuplexPipe
    {
        public PipeReader Input => input;
        public PipeWriter Output => inner.Output;
    }
}
