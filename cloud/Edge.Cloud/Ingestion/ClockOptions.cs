namespace Edge.Cloud.Ingestion;

/// <summary>
/// Bound from <c>Ingestion:Clock</c>: how far a gateway's clock may be off the cloud's. Records dated further
/// ahead than <see cref="MaxAheadS"/> are refused (a state from the future would pin its node, because node
/// state never moves backwards); a gateway whose measured clock error exceeds <see cref="AlarmS"/> raises a
/// <c>gateway.clock</c> alarm (docs/uplink.md §2 rule 8).
/// </summary>
public sealed class ClockOptions
{
    public const string Section = "Ingestion:Clock";

    /// <summary>Largest accepted <c>receivedAt</c> − the cloud's now, in seconds.</summary>
    public int MaxAheadS { get; set; } = 300;

    /// <summary>A gateway clock error (batch <c>sentAt</c> − the cloud's now) beyond this, either way, is an alarm.</summary>
    public int AlarmS { get; set; } = 60;
}
