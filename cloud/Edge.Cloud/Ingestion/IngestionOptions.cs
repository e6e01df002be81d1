namespace Edge.Cloud.Ingestion;

/// <summary>Bound from the <c>Ingestion</c> section; defaults are the limits of docs/uplink.md §2.</summary>
public sealed class IngestionOptions
{
    public const string Section = "Ingestion";

    public int MaxRecordsPerBatch { get; set; } = 5000;

    /// <summary>Limit on the uncompressed body.</summary>
    public int MaxBatchBytes { get; set; } = 4 * 1024 * 1024;
}
