using System;
using System.Buffers;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using MQTTnet.Channel;

namespace Edge.Gateway.Broker.Exposure;

/// <summary>
/// An MQTTnet channel that passes every byte it hands to MQTTnet through a <see cref="PacketFrameGuard"/> first. A
/// rejection is logged and rethrown: MQTTnet then ends the connection (and publishes the will of a node that was
/// connected, as for any protocol violation).
///
/// It also reads ahead. MQTTnet's adapter asks for a packet in three reads — its type and first length byte, the rest
/// of the length, the body — and each was a <c>recv</c> of its own. A busy node has more packets waiting in the socket
/// (up to its in-flight window, protocol.md §14.4), so this channel reads whatever has arrived into a pooled buffer, up
/// to <see cref="ReadAheadBytes"/>, and serves MQTTnet's next reads from it: under one system call a message instead of
/// three. It takes the buffer only once bytes have arrived (a zero-byte read waits for them), so a node that goes quiet
/// between packets, or stalls in the middle of one, holds no buffer while it waits (memory per idle node, docs/scale.md).
/// </summary>
public sealed class GuardedChannel(IMqttChannel inner, PacketFrameGuard guard, ExposureLog log) : IMqttChannel
{
    /// <summary>A few PUBLISHes of a node's in-flight window; larger reads (a big body) go straight into MQTTnet's buffer.</summary>
    public const int ReadAheadBytes = 2048;

    byte[]? _ahead;
    int _aheadStart;
    int _aheadEnd;

    /// <summary>Bytes read from the socket that MQTTnet has not taken yet.</summary>
    internal int BufferedBytes => _aheadEnd - _aheadStart;

    internal bool HoldsReadAheadBuffer => _ahead is not null;

    public X509Certificate2 ClientCertificate => inner.ClientCertificate;
    public EndPoint RemoteEndPoint => inner.RemoteEndPoint;
    public EndPoint LocalEndPoint => inner.LocalEndPoint;
    public bool IsSecureConnection => inner.IsSecureConnection;

    public Task ConnectAsync(CancellationToken cancellationToken) => inner.ConnectAsync(cancellationToken);

    public Task DisconnectAsync(CancellationToken cancellationToken) => inner.DisconnectAsync(cancellationToken);

    /// <remarks>MQTTnet reads a connection from one loop: no two reads overlap, so the buffer needs no lock.</remarks>
    public Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        if (_aheadEnd > _aheadStart)
        {
            // Served from memory; failures come as a faulted task, as they would from a read that waited.
            if (cancellationToken.IsCancellationRequested) return Task.FromCanceled<int>(cancellationToken);
            try
            {
                return Task.FromResult(HandOutBuffered(buffer, offset, count));
            }
            catch (PacketRejectedException rejection)
            {
                return Task.FromException<int>(rejection);
            }
        }
        return ReadFromSocketAsync(buffer, offset, count, cancellationToken);
    }

    async Task<int> ReadFromSocketAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        if (count >= ReadAheadBytes)
        {
            var read = await inner.ReadAsync(buffer, offset, count, cancellationToken).ConfigureAwait(false);
            Inspect(buffer.AsSpan(offset, read));
            return read;
        }
        // A zero-byte read waits until bytes (or the end of the stream) arrive without holding a buffer: a node that goes
        // quiet between packets, or stalls in the middle of one, holds none.
        await inner.ReadAsync([], 0, 0, cancellationToken).ConfigureAwait(false);
        _ahead = ArrayPool<byte>.Shared.Rent(ReadAheadBytes);
        try
        {
            _aheadEnd = await inner.ReadAsync(_ahead, 0, _ahead.Length, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(_ahead);
            _ahead = null;
            throw;
        }
        return HandOutBuffered(buffer, offset, count);
    }

    /// <summary>Copies buffered bytes to MQTTnet's buffer, through the guard; returns the buffer to the pool once empty.</summary>
    int HandOutBuffered(byte[] buffer, int offset, int count)
    {
        var n = Math.Min(count, _aheadEnd - _aheadStart);
        _ahead.AsSpan(_aheadStart, n).CopyTo(buffer.AsSpan(offset));
        _aheadStart += n;
        if (_aheadStart == _aheadEnd)
        {
            ArrayPool<byte>.Shared.Return(_ahead!);
            (_ahead, _aheadStart, _aheadEnd) = (null, 0, 0);
        }
        // Inspected as MQTTnet takes them, not as they arrive: a violation in a later packet does not cost the packets before it.
        Inspect(buffer.AsSpan(offset, n));
        return n;
    }

    void Inspect(ReadOnlySpan<byte> bytes)
    {
        try
        {
            guard.Inspect(bytes);
        }
        catch (PacketRejectedException rejection)
        {
            log.ConnectionClosed(RemoteEndPoint, rejection);
            throw;
        }
    }

    public Task WriteAsync(ReadOnlySequence<byte> buffer, bool isEndOfPacket, CancellationToken cancellationToken)
        => inner.WriteAsync(buffer, isEndOfPacket, cancellationToken);

    public void Dispose() => inner.Dispose();
}
