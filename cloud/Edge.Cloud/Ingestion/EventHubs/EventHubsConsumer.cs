using System.Threading;
using System.Threading.Tasks;
using Edge.Cloud.Gateways;
using Edge.Cloud.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Edge.Cloud.Ingestion.EventHubs;

/// <summary>Runs <see cref="EdgeEventProcessor"/> while the app runs, when Event Hubs is configured.</summary>
public sealed class EventHubsConsumer : IHostedService
{
    private readonly EdgeEventProcessor? _processor;
    private readonly ILogger<EventHubsConsumer> _logger;

    public EventHubsConsumer(IOptions<EventHubsOptions> options, IEventHubCheckpointStore checkpoints, IIngestStore store, IGatewayStore gateways, RecordAdmission admission, OutboxEpochs epochs, RecordArrivals arrivals, ILoggerFactory loggers)
    {
        _logger = loggers.CreateLogger<EventHubsConsumer>();
        if (!string.IsNullOrWhiteSpace(options.Value.ConnectionString))
        {
            _processor = new EdgeEventProcessor(options.Value, checkpoints, store, gateways, admission, epochs, loggers.CreateLogger<EdgeEventProcessor>(), arrivals);
        }
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (_processor is null) return;
        _logger.LogInformation("Event Hubs consumer starting: {Hub} ({Group})", _processor.EventHubName, _processor.ConsumerGroup);
        await _processor.StartProcessingAsync(cancellationToken);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_processor is not null) await _processor.StopProcessingAsync(cancellationToken);
    }
}
