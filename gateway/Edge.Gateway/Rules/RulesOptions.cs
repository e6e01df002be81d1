namespace Edge.Gateway.Rules;

/// <summary>Section <c>Gateway:Rules</c>: local rules (issue 5 item 6); the rules themselves come from the cloud (docs/uplink.md §3).</summary>
public sealed class RulesOptions
{
    /// <summary>Siren relay driver: <c>gpio</c> (System.Device.Gpio, default) or <c>none</c> (no siren on this gateway).</summary>
    public string SirenDriver { get; set; } = "gpio";

    /// <summary>How long a rule's street-light <c>override</c> holds (<c>until</c> = now + this); re-issued at half of it while the rule is active.</summary>
    public int OverrideHoldSeconds { get; set; } = 3600;

    /// <summary>Lifetime of rule commands (<c>expires</c> − <c>issued</c>, protocol.md §10.1).</summary>
    public int CommandLifetimeSeconds { get; set; } = 600;

    /// <summary>A banner display stays valid at least this long after the rule fired (docs/display-content.md <c>validUntil</c>).</summary>
    public int BannerValiditySeconds { get; set; } = 6 * 3600;
}
