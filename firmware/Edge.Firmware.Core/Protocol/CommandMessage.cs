namespace Edge.Firmware.Protocol;

/// <summary>
/// One decoded <c>cmd</c> (docs/protocol.md §10.1). Reused for every command. When <see cref="Id"/> is
/// readable but something else is wrong, <see cref="Problem"/> says what and where and the command is
/// acked <c>rejected</c> (§15 M3); arguments are read later, by <see cref="CommandDecoder.ReadArgs"/>,
/// because §10.4 checks them only after dedupe, clock and expiry.
/// </summary>
public sealed class CommandMessage
{
    public string Id = "";
    public string Kind = "";
    public long Issued;
    public long Expires;
    /// <summary>"" when the envelope is valid; otherwise the first problem, with its path.</summary>
    public string Problem = "";

    // The raw args object, read by ReadArgs.
    internal byte[] ArgsBuffer = NoArgs;
    internal int ArgsOffset = -1;
    internal int ArgsCount;

    // Arguments, valid after ReadArgs returned "".
    /// <summary>override: level 0–100.</summary>
    public int Level;
    /// <summary>override: hold until this time.</summary>
    public long Until;
    /// <summary>override: why (≤ 64 characters).</summary>
    public string Reason = "";
    /// <summary>override: issued by the gateway's local rule engine (<c>args.origin: rule</c>), not by an operator.</summary>
    public bool FromRule;
    /// <summary>reboot: delay in seconds.</summary>
    public long DelayS;
    /// <summary>identify, siren: duration in seconds.</summary>
    public long DurationS;
    /// <summary>siren: on or off.</summary>
    public bool On;

    private static readonly byte[] NoArgs = new byte[0];

    /// <summary>Lets go of the payload the args are in, once the command is handled (it may be the link's own array).</summary>
    internal void ReleaseArgs()
    {
        ArgsBuffer = NoArgs;
        ArgsOffset = -1;
        ArgsCount = 0;
    }

    internal void Clear()
    {
        FromRule = false;
        Id = "";
        Kind = "";
        Issued = 0;
        Expires = 0;
        Problem = "";
        ArgsOffset = -1;
        ArgsCount = 0;
        Level = 0;
        Until = 0;
        Reason = "";
        DelayS = 0;
        DurationS = 0;
        On = false;
    }
}
