using Edge.Cloud.Transit.Gtfs;

namespace Edge.Cloud.Transit;

/// <summary>Configuration section <c>Transit</c> (docs/transit.md).</summary>
public sealed class TransitOptions
{
    public const string Section = "Transit";

    public GtfsLimits Limits { get; set; } = new();
}
