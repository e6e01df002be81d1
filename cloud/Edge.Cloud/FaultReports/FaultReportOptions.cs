namespace Edge.Cloud.FaultReports;

/// <summary>Limits of the public fault report (section <c>FaultReports</c>).</summary>
public sealed class FaultReportOptions
{
    public const string Section = "FaultReports";

    /// <summary>Reports one client address may send per window.</summary>
    public int PerAddressPermits { get; set; } = 5;

    public int PerAddressWindowSeconds { get; set; } = 3600;

    /// <summary>Largest photo (JPEG bytes, before base64).</summary>
    public int MaxPhotoBytes { get; set; } = 1048576;

    /// <summary>Largest request body: the photo in base64 and the rest of the report.</summary>
    public long MaxBodyBytes => (MaxPhotoBytes + 2L) / 3 * 4 + 8192;
}
