namespace Edge.Firmware.Runtime;

/// <summary>
/// Keeps a link whose connect blocks on a worker thread (nanoFramework's M2Mqtt) to one connect attempt at a
/// time, each with a client of its own. M2Mqtt waits up to 30 s for CONNACK and a TCP connect to a dead host can
/// block longer, while the runtime gives up after 15 s (<see cref="ConnectionManager.ConnectTimeoutMs"/>) and
/// tries again after its backoff; M2Mqtt's Disconnect closes the socket asynchronously (~200 ms to ~2 s), so a
/// connect on the same client inside that window loses its new socket. Hence: an attempt is numbered; a new one
/// starts only when the previous worker has returned; an attempt the runtime abandoned never becomes the
/// session (its worker closes its own client instead); and events of any client but the session's are ignored.
/// Thread-safe: the control loop, the worker and the client's event threads all call in.
/// </summary>
public sealed class ConnectAttempts
{
    private readonly object _sync = new object();
    private int _last;
    private int _running;   // attempt whose worker is still inside connect (or closing its client); 0: none
    private bool _abandoned;
    private int _session;   // attempt that owns the connected session; 0: none

    /// <summary>Attempts started since boot.</summary>
    public int Started { get { lock (_sync) return _last; } }

    /// <summary>Begins attempts refused because the previous worker had not returned yet.</summary>
    public int RefusedWhileBusy { get; private set; }

    /// <summary>
    /// Control loop: starts a new attempt and returns its number, or 0 while the previous attempt's worker is
    /// still running (the caller reports a failed attempt and the runtime backs off).
    /// </summary>
    public int TryBegin()
    {
        lock (_sync)
        {
            if (_running != 0)
            {
                RefusedWhileBusy++;
                return 0;
            }
            _last++;
            _running = _last;
            _abandoned = false;
            _session = 0;
            return _last;
        }
    }

    /// <summary>
    /// Worker: the broker accepted attempt <paramref name="attempt"/>. True when it is now the session; false
    /// when the runtime abandoned it meanwhile: the worker closes its client and then calls <see cref="Finished"/>.
    /// </summary>
    public bool Connected(int attempt)
    {
        lock (_sync)
        {
            if (attempt != _running || _abandoned) return false;
            _running = 0;
            _session = attempt;
            return true;
        }
    }

    /// <summary>Worker: attempt <paramref name="attempt"/> failed, or its abandoned client is closed: the next attempt may start.</summary>
    public void Finished(int attempt)
    {
        lock (_sync)
        {
            if (attempt == _running) _running = 0;
        }
    }

    /// <summary>
    /// Control loop: the runtime gave up on the attempt (no CONNACK in time) or ends the session. Returns the
    /// session's attempt number when there was one (its client is to be disconnected now), else 0; a running
    /// attempt is marked abandoned and will never become the session.
    /// </summary>
    public int Abandon()
    {
        lock (_sync)
        {
            if (_running != 0) _abandoned = true;
            int session = _session;
            _session = 0;
            return session;
        }
    }

    /// <summary>Whether <paramref name="attempt"/> owns the current session (events of other clients are stale).</summary>
    public bool IsSession(int attempt)
    {
        lock (_sync) return attempt != 0 && attempt == _session;
    }

    /// <summary>The session's client reported its connection closed: true when that was the current session (the link is down).</summary>
    public bool Closed(int attempt)
    {
        lock (_sync)
        {
            if (attempt == 0 || attempt != _session) return false;
            _session = 0;
            return true;
        }
    }
}
