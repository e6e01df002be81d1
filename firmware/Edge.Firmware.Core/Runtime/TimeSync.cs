using Edge.Firmware.Protocol;

namespace Edge.Firmware.Runtime;

/// <summary>
/// Protocol §12: SNTP after boot and every 6 h while connected; the gateway's <c>time</c> only when SNTP
/// has not succeeded for 12 h (or ever) and the gateway itself is synced; the RTC runs on meanwhile so
/// schedules never stop. The clock counts as set (§12.5) once synced since power-on (the RTC's own flag)
/// and not before 2025.
/// </summary>
public sealed class TimeSync
{
    public const long SntpIntervalMs = 6L * 3600 * 1000;
    public const long SntpRetryMs = 10L * 60 * 1000;
    public const long GatewayFallbackMs = 12L * 3600 * 1000;
    public const long StepThresholdS = 2;
    public const long ReevaluateThresholdS = 60;

    private readonly IClock _clock;
    private readonly ISntpClient? _sntp;
    private long _lastSntpMs = long.MinValue;
    private long _lastSyncMs = long.MinValue;
    private long _nextSntpMs;

    public TimeSync(IClock clock, ISntpClient? sntp)
    {
        _clock = clock;
        _sntp = sntp;
        Servers = new string[] { "pool.ntp.org" };
        Source = clock.IsSet ? "rtc" : "none";
    }

    /// <summary>SNTP servers from the config (§9.3), tried in order.</summary>
    public string[] Servers { get; set; }

    public bool ClockSet { get { return _clock.IsSet && _clock.UtcSeconds >= Wire.EarliestValidTime; } }

    /// <summary>Time for messages: the RTC, or 0 while the clock is not set (§12.5).</summary>
    public long StampNow { get { return ClockSet ? _clock.UtcSeconds : 0; } }

    /// <summary><c>sntp</c>, <c>gateway</c>, <c>rtc</c> or <c>none</c> (state <c>timeSource</c>).</summary>
    public string Source { get; private set; }

    public long LastSyncTs { get; private set; }

    /// <summary>Clock steps larger than 60 s since boot (schedules re-evaluate, §12.4).</summary>
    public int LargeSteps { get; private set; }

    /// <summary>Gateway time messages ignored (malformed, unsynced, not needed) — §15 M4.</summary>
    public int IgnoredGatewayTimes { get; set; }

    /// <summary>Runs SNTP when due; call each tick with whether the network is up.</summary>
    public void Tick(long nowMs, bool networkUp)
    {
        if (_lastSyncMs != long.MinValue && nowMs - _lastSyncMs >= GatewayFallbackMs && Source != "rtc") Source = "rtc";
        if (_sntp == null || !networkUp || nowMs < _nextSntpMs) return;
        for (int i = 0; i < Servers.Length; i++)
        {
            if (_sntp.TryQuery(Servers[i], out long utc, out int ms))
            {
                Set(utc, ms);
                Source = "sntp";
                _lastSntpMs = nowMs;
                _lastSyncMs = nowMs;
                _nextSntpMs = nowMs + SntpIntervalMs;
                return;
            }
        }
        _nextSntpMs = nowMs + SntpRetryMs;
    }

    /// <summary>A gateway <c>time</c> message (§12.2); true when it was used.</summary>
    public bool OnGatewayTime(TimeMessage message, long nowMs)
    {
        bool sntpFresh = _lastSntpMs != long.MinValue && nowMs - _lastSntpMs < GatewayFallbackMs;
        if (message.Source == TimeSource.Unsynced || sntpFresh)
        {
            IgnoredGatewayTimes++;
            return false;
        }
        long diff = message.Ts - _clock.UtcSeconds;
        if (!_clock.IsSet || diff > StepThresholdS || diff < -StepThresholdS) Set(message.Ts, message.Ms);
        Source = "gateway";
        _lastSyncMs = nowMs;
        return true;
    }

    private void Set(long utc, int ms)
    {
        long step = utc - _clock.UtcSeconds;
        if (step > ReevaluateThresholdS || step < -ReevaluateThresholdS) LargeSteps++;
        _clock.SetUtc(utc, ms);
        LastSyncTs = utc;
    }
}
