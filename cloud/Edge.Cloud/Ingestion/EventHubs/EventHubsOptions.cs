namespace Edge.Cloud.Ingestion.EventHubs;

/// <summary>Bound from the <c>EventHubs</c> section. The consumer runs only when <see cref="ConnectionString"/>
/// is set (HTTPS is the default uplink).</summary>
public sealed class EventHubsOptions
{
    public const string Section = "EventHubs";

    /// <summary>Event Hubs connection string (with or without <c>EntityPath</c>).</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Hub name, when the connection string has no <c>EntityPath</c>.</summary>
    public string? EventHubName { get; set; }

    public string ConsumerGroup { get; set; } = "$Default";

    /// <summary>Most events handed to one <c>OnProcessingEventBatchAsync</c> call (and stored in one transaction).</summary>
    public int BatchSize { get; set; } = 200;
}
