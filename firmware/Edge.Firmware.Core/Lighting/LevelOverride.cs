namespace Edge.Firmware.Lighting;

/// <summary>
/// A manual level for a while (event, emergency, maintenance), in force from <see cref="StartUtc"/>
/// until just before <see cref="ExpiresUtc"/>; afterwards the calendar is back in control.
/// </summary>
public sealed class LevelOverride
{
    public string Id = "";
    public float Level;
    public long StartUtc;
    public long ExpiresUtc;
    /// <summary>When it was issued: among overrides in force, the newest issued wins.</summary>
    public long IssuedUtc;
    public string Reason = "";
    /// <summary>Issued by the gateway's local rule engine (<c>args.origin: rule</c>), not by an operator: the level's source is then <c>rule</c>.</summary>
    public bool FromRule;
    internal long Sequence;
    internal bool InUse;

    public bool ActiveAt(long utc)
    {
        return InUse && utc >= StartUtc && utc < ExpiresUtc;
    }
}
