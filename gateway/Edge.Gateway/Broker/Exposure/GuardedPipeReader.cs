using System;
using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Threading;
using System.Threading.Tasks;

namespace Edge.Gateway.Broker.Exposure;

/// <summary>
/// The Kestrel transport's counterpart of <see cref="GuardedChannel"/>: a connection's input pipe that passes every
/// byte through a <see cref="PacketFrameGuard"/> the first time a read returns it, before MQTTnet.AspNetCore decodes it.
///
/// Why it is needed there too: MqttConnectionContext (MQTTnet.AspNetCore 5.2) waits until a packet's whole remaining
/// length is in the pipe before decoding it, so without the guard a CONNECT announcing 255 MB would make Kestrel buffer
/// up to its input limit and then stall. A rejection is logged and thrown from the read: MqttConnectionContext
/// completes the pipes with it and MQTTnet ends the connection, as with the other transport.
/// </summary>
public sealed class GuardedPipeReader(PipeReader inner, PacketFrameGuard guard, ExposureLog log, EndPoint? remote) : PipeReader
{
    ReadOnlySequence<byte> _returned;
    long _inspected; // bytes at the start of the unconsumed data the guard has already seen

    public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        // MqttConnectionContext skips the await when the read is already complete: keep that path free of a state machine.
        var read = inner.ReadAsync(cancellationToken);
        return read.IsCompletedSuccessfully ? new ValueTask<ReadResult>(Inspect(read.Result)) : InspectAsync(read);
    }

    async ValueTask<ReadResult> InspectAsync(ValueTask<ReadResult> read) => Inspect(await read.ConfigureAwait(false));

    public override bool TryRead(out ReadResult result)
    {
        if (!inner.TryRead(out result)) return false;
        result = Inspect(result);
        return true;
    }

    ReadResult Inspect(ReadResult result)
    {
        var buffer = result.Buffer;
        try
        {
            foreach (var segment in buffer.Slice(_inspected)) guard.Inspect(segment.Span);
        }
        catch (PacketRejectedException rejection)
        {
            log.ConnectionClosed(remote, rejection);
            throw;
        }
        _inspected = buffer.Length;
        _returned = buffer;
        return result;
    }

    public override void AdvanceTo(SequencePosition consumed) => AdvanceTo(consumed, consumed);

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
    {
        _inspected -= _returned.Slice(_returned.Start, consumed).Length;
        _returned = default;
        inner.AdvanceTo(consumed, examined);
    }

    public override void CancelPendingRead() => inner.CancelPendingRead();

    public override void Complete(Exception? exception = null) => inner.Complete(exception);

    public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);
}
