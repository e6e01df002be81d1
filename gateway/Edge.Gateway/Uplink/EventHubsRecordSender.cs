using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Azure.Messaging.EventHubs;
using Azure.Messaging.EventHubs.Producer;
using Edge.Gateway.Outbox;

namespace Edge.Gateway.Uplink;

/// <summary>
/// The Event Hubs variant of the upward path (docs/uplink.md §4): one event per record (the §2 record with
/// <c>v</c> and <c>gateway</c> added), partition key = gateway id (so one gateway's records stay in order on one
/// partition), filled into ONE <see cref="EventDataBatch"/> per call with <c>TryAdd</c> until the hub's size limit;
/// what did not fit is sent by the next call. Thin on purpose: retries, backoff and halving live in
/// <see cref="UplinkService"/>, shared with HTTPS.
/// </summary>
public sealed class EventHubsRecordSender : IRecordSender, IAsyncDisposable
{
    readonly EventHubProducerClient _producer;
    readonly string _gatewayId;
    readonly string _epoch;

    public EventHubsRecordSender(EventHubProducerClient producer, string gatewayId, string epoch = "")
    {
        _producer = producer;
        _gatewayId = gatewayId;
        _epoch = epoch;
    }

    public string Name => "eventhubs";

    public async Task<SendOutcome> SendAsync(IReadOnlyList<OutboxMessage> batch, CancellationToken cancellationToken)
    {
        try
        {
            using var events = await _producer.CreateBatchAsync(new CreateBatchOptions { PartitionKey = _gatewayId }, cancellationToken).ConfigureAwait(false);
            long last = 0;
            foreach (var message in batch)
            {
                if (!events.TryAdd(new EventData(UplinkRecord.ToEventBody(message, _gatewayId, _epoch)) { ContentType = "application/json" }))
                {
                    break; // the batch is full: the rest goes in the next call
                }
                last = message.GatewaySeq;
            }
            if (events.Count == 0)
            {
                return new SendOutcome.TooLarge($"record {batch[0].GatewaySeq} ({batch[0].Payload.Length} bytes) does not fit an empty event batch of {events.MaximumSizeInBytes} bytes");
            }
            await _producer.SendAsync(events, cancellationToken).ConfigureAwait(false);
            return new SendOutcome.Delivered(last, events.Count, 0, Array.Empty<RejectedRecord>());
        }
        catch (EventHubsException exception) when (exception.Reason == EventHubsException.FailureReason.ServiceBusy)
        {
            return new SendOutcome.Retry("ServerBusy: " + exception.Message, null);
        }
        catch (EventHubsException exception) when (exception.Reason == EventHubsException.FailureReason.MessageSizeExceeded)
        {
            return new SendOutcome.TooLarge(exception.Message);
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Transient or not (timeouts, connection loss, bad credentials, missing hub): keep the records and retry
            // with backoff; an operator fixes configuration, nothing is dropped meanwhile.
            return new SendOutcome.Retry(exception.GetType().Name + ": " + exception.Message, null);
        }
    }

    public ValueTask DisposeAsync() => _producer.DisposeAsync();
}
