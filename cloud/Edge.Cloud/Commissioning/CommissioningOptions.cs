namespace Edge.Cloud.Commissioning;

/// <summary>Limits of commissioning (section <c>Commissioning</c>).</summary>
public sealed class CommissioningOptions
{
    public const string Section = "Commissioning";

    /// <summary>The largest photo an installer may add to a result, in bytes (a phone's JPEG at a modest size).</summary>
    public int MaxPhotoBytes { get; set; } = 2097152;
}
