using Edge.Firmware.Protocol;

namespace Edge.Firmware.Runtime;

/// <summary>What became of an offered config (protocol §9.2).</summary>
public enum ConfigOutcome
{
    Applied = 0,
    /// <summary>Same version as applied: the retained copy again, ignored silently.</summary>
    Unchanged = 1,
    /// <summary>Older than the applied version.</summary>
    Stale = 2,
    /// <summary>Malformed, invalid, wrong type or too large.</summary>
    Rejected = 3,
}

/// <summary>Applies a validated config to the node type's brains.</summary>
public interface IConfigTarget
{
    /// <summary>
    /// Builds everything the config needs, then switches to it; on failure nothing may have changed
    /// and <paramref name="error"/> says why.
    /// </summary>
    bool TryApplyConfig(NodeConfig config, out string error);
}

/// <summary>
/// Protocol §9.2 on the node: validate the whole document, apply only a newer version, persist it
/// (write-new-then-switch) before switching, report the applied version, and on rejection keep the
/// previous config and say why — once per version per boot.
/// </summary>
public sealed class ConfigApplier
{
    public const string StoreName = "config";

    private readonly string _type;
    private readonly IConfigTarget _target;
    private readonly VersionedStore _store;
    private readonly ConfigDecoder _decoder = new ConfigDecoder();
    private long _reportedStale = -2;
    private long _reportedRejected = -2;

    public ConfigApplier(IStorage storage, string nodeType, IConfigTarget target)
    {
        _type = nodeType;
        _target = target;
        _store = new VersionedStore(storage, StoreName);
        RejectedVersion = -1;
        RejectCode = "";
        RejectErrors = new string[0];
    }

    /// <summary>The applied config version; 0 = built-in defaults (§9.6).</summary>
    public long AppliedVersion { get; private set; }

    public NodeConfig? Current { get; private set; }

    /// <summary>Version of the last rejected config since boot, -1 if none (state <c>configRejected</c>).</summary>
    public long RejectedVersion { get; private set; }

    /// <summary>After <see cref="Offer"/> returned Stale or Rejected: the §7.6 code, errors, and whether to publish config.rejected now.</summary>
    public string RejectCode { get; private set; }
    public string[] RejectErrors { get; private set; }
    public long RejectVersionRead { get; private set; }
    public bool ShouldReport { get; private set; }

    /// <summary>Loads and applies the persisted config at boot (into <paramref name="scratch"/>); false when there is none usable.</summary>
    public bool Restore(byte[] scratch)
    {
        int length = _store.Load(scratch);
        if (length <= 0) return false;
        try
        {
            NodeConfig config = _decoder.Decode(scratch, 0, length, _type);
            if (!_target.TryApplyConfig(config, out string _)) return false;
            Current = config;
            AppliedVersion = config.Version;
            return true;
        }
        catch (JsonFormatException)
        {
            // Written by an older firmware that validated differently: run defaults until the gateway re-sends.
            return false;
        }
    }

    public ConfigOutcome Offer(byte[] buffer, int offset, int count)
    {
        ShouldReport = false;
        NodeConfig config;
        try
        {
            config = _decoder.Decode(buffer, offset, count, _type);
        }
        catch (MessageFormatException e)
        {
            return Reject(e.Code, e.Version, e.Errors);
        }
        catch (JsonFormatException e)
        {
            return Reject(MessageFormatException.Malformed, -1, new string[] { e.Message });
        }
        if (config.Version == AppliedVersion) return ConfigOutcome.Unchanged;
        if (config.Version < AppliedVersion)
        {
            RejectCode = "stale";
            RejectErrors = new string[] { "version " + config.Version.ToString() + " is older than the applied " + AppliedVersion.ToString() };
            RejectVersionRead = config.Version;
            ShouldReport = _reportedStale != config.Version;
            _reportedStale = config.Version;
            return ConfigOutcome.Stale;
        }
        if (!_target.TryApplyConfig(config, out string error))
        {
            return Reject(MessageFormatException.Invalid, config.Version, new string[] { error });
        }
        // Persisted only once the target accepted it, so flash never holds a config this firmware cannot
        // run. A power cut in between boots with the previous config; the retained copy is then
        // re-delivered and applied again.
        _store.Save(buffer, offset, count);
        Current = config;
        AppliedVersion = config.Version;
        return ConfigOutcome.Applied;
    }

    private ConfigOutcome Reject(string code, long version, string[] errors)
    {
        RejectCode = code;
        RejectErrors = errors;
        RejectVersionRead = version;
        RejectedVersion = version;
        ShouldReport = _reportedRejected != version || version < 0;
        _reportedRejected = version;
        return ConfigOutcome.Rejected;
    }
}
