using Edge.Cloud.Domain;

namespace Edge.Cloud.Ingestion;

/// <summary>
/// Notified after ingestion in this process stored new records (HTTPS batches and the Event Hubs consumer), so
/// the record feed applies them at once — a node's <c>cmd/ack</c> completes its command as soon as it is stored,
/// not at the feed's next periodic pass.
/// </summary>
public sealed class RecordArrivals : Wakeup;
