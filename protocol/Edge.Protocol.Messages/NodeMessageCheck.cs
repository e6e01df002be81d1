namespace Edge.Protocol.Messages;

/// <summary>Why a node message was refused: the metric label the gateway counts it under.</summary>
public static class RejectReasons
{
    /// <summary>Not one JSON object in valid UTF-8 (protocol.md §5.1): syntax, byte-order mark, trailing data,
    /// invalid UTF-8 or an unpaired surrogate in a string, a duplicated member.</summary>
    public const string Malformed = "malformed";

    /// <summary><c>v</c> is not 1 (§5.2).</summary>
    public const string BadVersion = "bad_version";

    /// <summary>A member the receiver needs is absent.</summary>
    public const string MissingMember = "missing_member";

    /// <summary>A member has the wrong type, is out of range or is not one of its enum values (§5.3).</summary>
    public const string InvalidMember = "invalid_member";

    /// <summary>Not a node → gateway leaf.</summary>
    public const string UnknownTopic = "unknown_topic";
}

/// <summary>
/// The verdict on one node message: valid, or a <see cref="Reason"/> and an <see cref="Error"/> of the form
/// <c>path: problem</c> (<c>level: 140 is out of range 0..100</c>). A valid telemetry, event or cmd/ack also carries its
/// identity (§5.4) and time; <see cref="Discriminator"/> is its <c>type</c> (telemetry) or <c>kind</c> (event).
/// </summary>
public readonly record struct NodeMessageCheck(string Leaf, string? Reason, string? Error, long Boot, long Seq, long? Ts, string? Discriminator)
{
    public bool IsValid => Reason is null;

    public static NodeMessageCheck Fail(string leaf, string reason, string error) => new(leaf, reason, error, 0, 0, null, null);
}
