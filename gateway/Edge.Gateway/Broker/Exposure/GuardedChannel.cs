using System;
using System.Buffers;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using MQTTnet.Channel;

namespace Edge.Gateway.Broker.Exposure;

/// <summary>
/// An MQTTnet channel that passes every byte it reads through a <see cref="PacketFrameGuard"/> before MQTTnet sees
/// it. A rejection is logged and rethrown: MQTTnet then ends the connection (and publishes the will of a node
/// that was connected, as for any protocol violation).
/// </summary>
public sealed class GuardedChannel(IMqttChannel inner, PacketFrameGuard guard, ExposureLog log) : IMqttChannel
{
    public X509Certificate2 ClientCertificate => inner.ClientCertificate;
    public EndPoint RemoteEndPoint => inner.RemoteEndPoint;
    public EndPoint LocalEndPoint => inner.LocalEndPoint;
    public bool IsSecureConnection => inner.IsSecureConnection;

    public Task ConnectAsync(CancellationToken cancellationToken) => inner.ConnectAsync(cancellationToken);

    public Task DisconnectAsync(CancellationToken cancellationToken) => inner.DisconnectAsync(cancellationToken);

    public async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        var read = await inner.ReadAsync(buffer, offset, count, cancellationToken).ConfigureAwait(false);
        try
        {
            guard.Inspect(buffer.AsSpan(offset, read));
        }
        catch (PacketRejectedException rejection)
        {
            log.ConnectionClosed(RemoteEndPoint, rejection);
            throw;
        }
        return read;
    }

    public Task WriteAsync(ReadOnlySequence<byte> buffer, bool isEndOfPacket, CancellationToken cancellationToken)
        => inner.WriteAsync(buffer, isEndOfPacket, cancellationToken);

    public void Dispose() => inner.Dispose();
}
