namespace Edge.Firmware.Runtime;

/// <summary>Where the node's session stands.</summary>
public enum SessionState
{
    /// <summary>Waiting for the backoff delay to pass.</summary>
    Waiting = 0,
    Connecting = 1,
    /// <summary>Connected and subscribed: birth sent, outbox draining.</summary>
    Online = 2,
}

/// <summary>
/// Brings the MQTT session up and keeps it up (protocol §4): network, CONNECT with the node's id and
/// secret and the retained offline will, SUBSCRIBE, then tells the runtime to publish the birth. Any
/// failure waits by <see cref="Backoff"/>; the failure count resets after 60 s of a stable session;
/// 3 network failures in a row reset Wi-Fi; 6 h without a session asks for a reboot. Polled, never blocks.
/// </summary>
public sealed class ConnectionManager
{
    public const long ConnectTimeoutMs = 15000;
    public const long StableAfterMs = 60000;
    public const int NetworkResetAfter = 3;
    public const long OutageRebootMs = 6L * 3600 * 1000;

    private readonly IMessageLink _link;
    private readonly IPlatform _platform;
    private readonly LinkOptions _options;
    private readonly string[] _subscriptions;
    private readonly Backoff _backoff;
    private long _stateSince;
    private long _lastOnlineMs;
    private bool _stable;
    private int _networkFailures;

    public ConnectionManager(IMessageLink link, IPlatform platform, LinkOptions options, string[] subscriptions, uint seed, long nowMs)
    {
        _link = link;
        _platform = platform;
        _options = options;
        _subscriptions = subscriptions;
        _backoff = new Backoff(seed);
        State = SessionState.Waiting;
        NextAttemptMs = nowMs;
        _lastOnlineMs = nowMs;
    }

    public SessionState State { get; private set; }

    public bool IsOnline { get { return State == SessionState.Online; } }

    /// <summary>When the current session came up (monotonic ms); -1 while offline.</summary>
    public long OnlineSinceMs { get { return State == SessionState.Online ? _stateSince : -1; } }

    /// <summary>When the next connection attempt starts (monotonic ms).</summary>
    public long NextAttemptMs { get; private set; }

    /// <summary>The last backoff delay chosen, for diagnostics and tests.</summary>
    public long LastDelayMs { get; private set; }

    /// <summary>Failures since the last stable session (the n of protocol §4.4).</summary>
    public int Failures { get { return _backoff.Failures; } }

    /// <summary>Sessions established since boot.</summary>
    public int Sessions { get; private set; }

    public int NetworkResets { get; private set; }

    /// <summary>Why the last attempt or session ended.</summary>
    public string LastError { get; private set; } = "";

    /// <summary>Advances the session; true exactly when it has just come up (publish the birth, then drain).</summary>
    public bool Poll(long nowMs)
    {
        switch (State)
        {
            case SessionState.Online:
                if (_link.State != LinkState.Connected)
                {
                    Fail(nowMs, _link.LastError.Length > 0 ? _link.LastError : "connection closed");
                    return false;
                }
                _lastOnlineMs = nowMs;
                if (!_stable && nowMs - _stateSince >= StableAfterMs)
                {
                    _stable = true;
                    _backoff.Reset();
                }
                return false;

            case SessionState.Connecting:
                if (_link.State == LinkState.Connected)
                {
                    for (int i = 0; i < _subscriptions.Length; i++) _link.Subscribe(_subscriptions[i]);
                    State = SessionState.Online;
                    _stateSince = nowMs;
                    _lastOnlineMs = nowMs;
                    _stable = false;
                    Sessions++;
                    return true;
                }
                if (_link.State == LinkState.Disconnected)
                {
                    Fail(nowMs, _link.LastError.Length > 0 ? _link.LastError : "connect failed");
                }
                else if (nowMs - _stateSince >= _options.ConnectWaitMs)
                {
                    _link.Disconnect();
                    Fail(nowMs, "no CONNACK in 15 s");
                }
                return false;

            default:
                if (nowMs < NextAttemptMs) return false;
                if (!_platform.EnsureNetwork())
                {
                    _networkFailures++;
                    if (_networkFailures >= NetworkResetAfter)
                    {
                        _platform.ResetNetwork();
                        NetworkResets++;
                        _networkFailures = 0;
                    }
                    Fail(nowMs, "network unavailable");
                    return false;
                }
                _networkFailures = 0;
                State = SessionState.Connecting;
                _stateSince = nowMs;
                _link.BeginConnect(_options);
                // A synchronous link is already connected: finish in the same poll.
                return _link.State != LinkState.Connecting ? Poll(nowMs) : false;
        }
    }

    /// <summary>Whether the node has had no session for 6 h (protocol §4.5): the runtime then reboots once.</summary>
    public bool OutageRebootDue(long nowMs)
    {
        return State != SessionState.Online && nowMs - _lastOnlineMs >= _options.OutageRebootMs;
    }

    /// <summary>Ends the session on purpose (planned reboot, deep sleep): no will, no backoff.</summary>
    public void Close(long nowMs)
    {
        _link.Disconnect();
        State = SessionState.Waiting;
        NextAttemptMs = long.MaxValue;
        _stateSince = nowMs;
    }

    private void Fail(long nowMs, string why)
    {
        LastError = why;
        LastDelayMs = _backoff.NextDelayMs();
        NextAttemptMs = nowMs + LastDelayMs;
        State = SessionState.Waiting;
        _stateSince = nowMs;
    }
}
