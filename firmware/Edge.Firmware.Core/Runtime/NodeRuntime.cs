using Edge.Firmware.Protocol;

namespace Edge.Firmware.Runtime;

/// <summary>
/// The node's one control loop (protocol §4–§15): each <see cref="Tick"/> drives the MQTT session
/// (<see cref="ConnectionManager"/>), routes inbound <c>config</c>, <c>cmd</c>, <c>time</c> and
/// <c>display</c>, drains the <see cref="Outbox"/>, keeps time (<see cref="TimeSync"/>), kicks the
/// watchdog and runs the node type's brain. Node types publish through <see cref="BeginMessage"/> /
/// <see cref="Commit"/>. After start-up a tick with nothing to send allocates nothing.
/// </summary>
public sealed class NodeRuntime : ICommandTarget
{
    public const int MaxInboundPerTick = 8;
    public const long PlannedDisconnectWaitMs = 5000;

    private readonly NodeOptions _options;
    private readonly INodeApp _app;
    private readonly IMessageLink _link;
    private readonly IStorage _storage;
    private readonly IClock _clock;
    private readonly IPlatform _platform;
    private readonly byte[] _scratch = new byte[Wire.MaxOutboundBytes];
    private readonly JsonWriter _writer;
    private readonly InboundMessage _inbound;
    private readonly TimeDecoder _timeDecoder = new TimeDecoder();
    private readonly TimeMessage _time = new TimeMessage();
    private readonly string[] _outboxTopics;
    private readonly string _stateTopic, _configTopic, _cmdTopic, _timeTopic, _displayTopic;
    private readonly int _controlTask;
    private readonly long _startMs;
    private readonly RebootRecord _rebootRecord;
    private bool _wasOnline;
    private long _stateDueMs = long.MaxValue;
    private int _rebootPhase;
    private long _rebootAtMs;
    private int _offlineStateId;
    private string _plannedReason = "reboot";
    private long _sleepUntilMs;
    private const int SleepPublish = 3;
    private const int SleepWait = 4;

    public NodeRuntime(NodeOptions options, INodeApp app, IMessageLink link, IStorage storage, IClock clock, IPlatform platform, ISntpClient? sntp)
        : this(options, app, link, storage, clock, platform, sntp, null)
    {
    }

    /// <param name="retained">RTC memory that survives deep sleep (boot, seq, uptime; protocol §5.4); null for nodes that never sleep.</param>
    public NodeRuntime(NodeOptions options, INodeApp app, IMessageLink link, IStorage storage, IClock clock, IPlatform platform, ISntpClient? sntp, IStorage? retained)
    {
        _options = options;
        _app = app;
        _link = link;
        _storage = storage;
        _clock = clock;
        _platform = platform;
        _startMs = clock.MonotonicMs;
        _writer = new JsonWriter(_scratch);
        _inbound = new InboundMessage(options.LinkHandsOverPayloads ? 0 : options.InboundBytes);

        string prefix = "edge/" + options.Site + "/" + options.NodeId + "/";
        _outboxTopics = new string[] { prefix + "telemetry", prefix + "event", prefix + "cmd/ack" };
        _stateTopic = prefix + "state";
        _configTopic = prefix + "config";
        _cmdTopic = prefix + "cmd";
        _timeTopic = prefix + "time";
        _displayTopic = prefix + "display";
        string[] subscriptions = app.WantsDisplay
            ? new string[] { _configTopic, _cmdTopic, _timeTopic, _displayTopic }
            : new string[] { _configTopic, _cmdTopic, _timeTopic };

        Ids = new MessageIds(storage, retained);
        _rebootRecord = new RebootRecord(storage);
        Outbox = new Outbox(options.OutboxBytes, options.OutboxBytes / 64, options.PersistOutbox ? storage : null, options.PersistOutbox ? options.FlashOutboxBytes : 0);
        Time = new TimeSync(clock, sntp);
        Config = new ConfigApplier(storage, app.NodeType, app);
        Commands = new CommandProcessor(storage, this);
        Watchdog = new SoftwareWatchdog(clock, options.WatchdogSeconds);
        _controlTask = Watchdog.Register("control");

        NodeStatus.WriteWill(_writer);
        var will = new byte[_writer.Length];
        System.Array.Copy(_scratch, will, will.Length);
        LinkOptions = new LinkOptions
        {
            Host = options.BrokerHost,
            Port = options.BrokerPort,
            UseTls = options.UseTls,
            ClientId = options.NodeId,
            Username = options.NodeId,
            Password = options.Secret,
            KeepAliveSeconds = 60,
            ConnectWaitMs = options.ConnectWaitMs,
            OutageRebootMs = options.OutageRebootMs,
            WillTopic = _stateTopic,
            WillPayload = will,
            WillRetain = true,
        };
        Connection = new ConnectionManager(link, platform, LinkOptions, subscriptions, options.JitterSeed ^ (uint)Ids.Boot, _startMs);

        Status = new NodeStatus
        {
            Type = app.NodeType,
            Firmware = options.Firmware,
            Hardware = options.Hardware,
            Boot = Ids.Boot,
            ResetReason = _rebootRecord.BootReason(platform.ResetReason),
            OutboxFlash = Outbox.Flash != null,
        };
    }

    public NodeOptions Options { get { return _options; } }
    public MessageIds Ids { get; }
    public Outbox Outbox { get; }
    public TimeSync Time { get; }
    public ConfigApplier Config { get; }
    public CommandProcessor Commands { get; }
    public SoftwareWatchdog Watchdog { get; }
    public ConnectionManager Connection { get; }
    public LinkOptions LinkOptions { get; }
    public NodeStatus Status { get; }
    public IClock Clock { get { return _clock; } }

    /// <summary>True once the runtime has asked the platform to reboot or sleep; further ticks do nothing.</summary>
    public bool Halted { get; private set; }

    /// <summary>
    /// Restores the persisted config (or the defaults) and queues <c>node.boot</c> (and
    /// <c>node.watchdog</c> after a watchdog reboot). Called once by the node type after construction.
    /// </summary>
    public void Start()
    {
        // Without a copy buffer (the link hands payloads over) the stored config is read into a buffer of its own,
        // garbage once start-up is done.
        byte[] scratch = _inbound.Buffer.Length > 0 ? _inbound.Buffer : new byte[_options.InboundBytes];
        if (Config.Restore(scratch)) Time.Servers = Config.Current!.Ntp;
        else _app.ApplyDefaults();
        if (Ids.WokeFromSleep) return; // the same boot continues: no node.boot (protocol §5.4)
        var w = BeginMessage();
        EventEncoder.WriteNodeBoot(w, Time.StampNow, Ids.Boot, Ids.NextSeq(), Status.ResetReason, _options.Firmware);
        Commit(Outbox.Event);
        if (_rebootRecord.Reason == RebootRecord.Watchdog)
        {
            w = BeginMessage();
            EventEncoder.WriteNodeWatchdog(w, _rebootRecord.Time, Ids.Boot, Ids.NextSeq(), _rebootRecord.Task, _rebootRecord.StuckS);
            Commit(Outbox.Event);
        }
    }

    /// <summary>Time for a message: the RTC, or 0 while the clock is not set (protocol §12.5).</summary>
    public long Now { get { return Time.StampNow; } }

    /// <summary>Starts a node → gateway message in the runtime's scratch buffer.</summary>
    public JsonWriter BeginMessage()
    {
        _writer.Reset();
        return _writer;
    }

    /// <summary>Queues the message written since <see cref="BeginMessage"/> for <paramref name="leaf"/> (Outbox.Telemetry/Event/Ack).</summary>
    public void Commit(byte leaf)
    {
        Outbox.Enqueue(leaf, _scratch, 0, _writer.Length);
    }

    /// <summary>Publishes the retained state at the next tick (config applied, display changed…).</summary>
    public void RequestState() { _stateDueMs = 0; }

    public void Tick()
    {
        if (Halted) return;
        long nowMs = _clock.MonotonicMs;
        Watchdog.Kick(_controlTask);

        bool cameUp = Connection.Poll(nowMs);
        bool online = Connection.IsOnline;
        if (_wasOnline && !online) Outbox.OnDisconnected();
        _wasOnline = online;
        if (cameUp) PublishState(nowMs);

        if (online)
        {
            while (_link.TryGetAcknowledged(out int id))
            {
                if (id == _offlineStateId) _offlineStateId = -1;
                else Outbox.Acknowledge(id);
            }
            for (int i = 0; i < MaxInboundPerTick && _link.TryReceive(_inbound); i++)
            {
                Dispatch(nowMs);
                _inbound.Release();
            }
            Outbox.Pump(_link, _outboxTopics, nowMs);
            if (nowMs >= _stateDueMs) PublishState(nowMs);
        }

        Time.Tick(nowMs, online);
        _app.Tick(nowMs);
        Outbox.Flush(nowMs);
        if (_rebootPhase != 0) AdvanceReboot(nowMs);
        else if (Connection.OutageRebootDue(nowMs))
        {
            Reboot(RebootRecord.Outage, "", 0);
        }
    }

    /// <summary>
    /// A planned stop without a reboot (a host node's process ends cleanly, a device is switched off on
    /// purpose): as for a reboot (protocol §4.3), the outbox gets up to 5 s to drain, the retained
    /// <c>offline</c> state with <c>reason: shutdown</c> is published and acknowledged, then the session
    /// is closed with DISCONNECT, so the broker does not publish the will and nobody mistakes the stop for
    /// an outage. Keep ticking until <see cref="Halted"/>.
    /// </summary>
    public void BeginShutdown()
    {
        if (_rebootPhase != 0 || Halted) return;
        _plannedReason = "shutdown";
        _rebootPhase = 1;
        _rebootAtMs = _clock.MonotonicMs;
    }

    /// <summary>Whether a reboot or deep sleep is under way (the node should not start new work).</summary>
    public bool ShutdownPending { get { return _rebootPhase != 0; } }

    /// <summary>
    /// Goes to deep sleep for <paramref name="seconds"/> (protocol §4.3, §4.6): publishes the retained
    /// <c>asleep</c> state with <c>wakeTs</c> when online, waits at most 5 s for its PUBACK, disconnects
    /// (no will), writes the outbox and boot/seq/uptime to retained memory, then calls
    /// <see cref="IPlatform.DeepSleep"/>. Ignored while a reboot is under way.
    /// </summary>
    public void BeginSleep(long seconds)
    {
        if (_rebootPhase != 0) return;
        _rebootAtMs = _clock.MonotonicMs;
        _sleepUntilMs = _rebootAtMs + (seconds < 1 ? 1 : seconds) * 1000;
        _rebootPhase = SleepPublish;
    }

    /// <summary>
    /// Checks the software watchdog; call from a timer independent of the control loop (the ESP32 app
    /// uses a System.Threading.Timer). Records the stuck loop and reboots; true when it did.
    /// </summary>
    public bool CheckWatchdog()
    {
        if (Halted || !Watchdog.Check(out string task, out long stuckS)) return false;
        Reboot(RebootRecord.Watchdog, task, stuckS);
        return true;
    }

    // ---- inbound ----------------------------------------------------------------------------------

    private void Dispatch(long nowMs)
    {
        string topic = _inbound.Topic;
        if (topic == _cmdTopic) HandleCommand();
        else if (_inbound.Length == 0) return; // a cleared retained message (§3.1)
        else if (topic == _configTopic) HandleConfig();
        else if (topic == _timeTopic) HandleTime(nowMs);
        else if (topic == _displayTopic && _app.WantsDisplay) _app.OnDisplay(_inbound.Payload, 0, _inbound.Length);
        // Anything else: not ours (§15 M5).
    }

    private void HandleConfig()
    {
        ConfigOutcome outcome = Config.Offer(_inbound.Payload, 0, _inbound.Length);
        if (outcome == ConfigOutcome.Applied)
        {
            Time.Servers = Config.Current!.Ntp;
            RequestState();
            return;
        }
        if (outcome == ConfigOutcome.Rejected) Status.ConfigRejected = Config.RejectedVersion;
        if ((outcome == ConfigOutcome.Rejected || outcome == ConfigOutcome.Stale) && Config.ShouldReport)
        {
            ReportRejected("config", Config.RejectVersionRead, Config.RejectCode, Config.AppliedVersion, Config.RejectErrors);
            if (outcome == ConfigOutcome.Rejected) RequestState();
        }
    }

    /// <summary>Queues <c>config.rejected</c> (protocol §7.6) for a config or display document.</summary>
    public void ReportRejected(string topic, long version, string code, long kept, string[] errors)
    {
        var w = BeginMessage();
        EventEncoder.WriteConfigRejected(w, Now, Ids.Boot, Ids.NextSeq(), topic, version, code, kept, errors, errors.Length);
        Commit(Outbox.Event);
    }

    private void HandleCommand()
    {
        CommandOutcome outcome = Commands.Handle(_inbound.Payload, 0, _inbound.Length, _clock.UtcSeconds, Time.ClockSet);
        var w = BeginMessage();
        if (outcome == CommandOutcome.MessageRejected)
        {
            EventEncoder.WriteMessageRejected(w, Now, Ids.Boot, Ids.NextSeq(), "cmd", Commands.RejectCode, Commands.Message);
            Commit(Outbox.Event);
            return;
        }
        AckEncoder.Write(w, Commands.Command.Id, Commands.Result, Commands.Original, Now, Ids.Boot, Ids.NextSeq(), Commands.Message);
        Commit(Outbox.Ack);
    }

    private void HandleTime(long nowMs)
    {
        try
        {
            _timeDecoder.Decode(_inbound.Payload, 0, _inbound.Length, _time);
        }
        catch (JsonFormatException)
        {
            Time.IgnoredGatewayTimes++;
            return;
        }
        Time.OnGatewayTime(_time, nowMs);
    }

    // ---- commands the runtime itself handles ------------------------------------------------------

    public bool Supports(string kind)
    {
        return kind == CommandDecoder.KindReboot || _app.Supports(kind);
    }

    public CommandResult Execute(CommandMessage command, out string failure)
    {
        if (command.Kind == CommandDecoder.KindReboot)
        {
            failure = "";
            if (_rebootPhase != 0 && _plannedReason == "shutdown") return CommandResult.Ok; // stopping anyway: no restart
            _plannedReason = "reboot";
            _rebootPhase = 1;
            _rebootAtMs = _clock.MonotonicMs + command.DelayS * 1000;
            return CommandResult.Ok;
        }
        return _app.Execute(command, out failure);
    }

    // ---- state and planned shutdown -------------------------------------------------------------

    private void FillStatus(long nowMs)
    {
        Status.Ts = Now;
        Status.ConfigVersion = Config.AppliedVersion;
        Status.UptimeS = Ids.UptimeBaseS + (nowMs - _startMs) / 1000;
        Status.TimeSource = Time.Source;
        Status.LastSyncTs = Time.LastSyncTs;
        Status.Rssi = _platform.Rssi;
        Status.HeapFree = _platform.FreeHeap;
        Status.OutboxQueued = Outbox.Count;
        Status.OutboxDropped = Outbox.Dropped;
        Status.OutboxDroppedEvents = Outbox.DroppedEvents;
        _app.FillStatus(Status);
    }

    private int PublishState(long nowMs)
    {
        FillStatus(nowMs);
        var w = BeginMessage();
        Status.Write(w);
        int stateS = Config.Current != null ? Config.Current.StateS : 3600;
        _stateDueMs = nowMs + stateS * 1000L;
        return _link.Publish(_stateTopic, _scratch, 0, w.Length, true);
    }

    private void AdvanceReboot(long nowMs)
    {
        if (_rebootPhase == SleepPublish)
        {
            _offlineStateId = -1;
            if (Connection.IsOnline)
            {
                Status.Status = NodeStatus.Asleep;
                Status.WakeTs = Time.ClockSet ? Time.StampNow + SleepSecondsLeft(nowMs) : 0;
                _offlineStateId = PublishState(nowMs);
                Status.Status = NodeStatus.Online;
            }
            _rebootPhase = SleepWait;
            _rebootAtMs = nowMs;
            if (_offlineStateId <= 0) GoToSleep(nowMs); // nothing to wait for
            return;
        }
        if (_rebootPhase == SleepWait)
        {
            if (_offlineStateId > 0 && nowMs - _rebootAtMs < PlannedDisconnectWaitMs) return;
            GoToSleep(nowMs);
            return;
        }
        if (_rebootPhase == 1)
        {
            // Let the ack go out first (protocol §10.2: ack, then offline state, then reboot).
            if (nowMs < _rebootAtMs || (Outbox.Count > 0 && Connection.IsOnline && nowMs < _rebootAtMs + PlannedDisconnectWaitMs)) return;
            _offlineStateId = -1;
            if (Connection.IsOnline)
            {
                Status.Status = NodeStatus.Offline;
                Status.Reason = _plannedReason;
                _offlineStateId = PublishState(nowMs);
                Status.Status = NodeStatus.Online;
                Status.Reason = "";
            }
            _rebootPhase = 2;
            _rebootAtMs = nowMs;
            return;
        }
        if (_offlineStateId > 0 && nowMs - _rebootAtMs < PlannedDisconnectWaitMs) return;
        if (_plannedReason == "shutdown") Stop(nowMs);
        else Reboot(RebootRecord.Software, "", 0);
    }

    private void Stop(long nowMs)
    {
        _app.OnShutdown();
        Outbox.FlushNow(nowMs);
        Connection.Close(nowMs);
        Halted = true;
    }

    private long SleepSecondsLeft(long nowMs)
    {
        long left = (_sleepUntilMs - nowMs + 999) / 1000;
        return left < 1 ? 1 : left;
    }

    private void GoToSleep(long nowMs)
    {
        long seconds = SleepSecondsLeft(nowMs);
        _app.OnShutdown();
        Outbox.FlushNow(nowMs);
        Ids.SaveForSleep(Ids.UptimeBaseS + (nowMs - _startMs) / 1000 + seconds);
        Connection.Close(nowMs);
        Halted = true;
        _platform.DeepSleep(seconds);
    }

    private void Reboot(byte reason, string task, long stuckS)
    {
        _rebootRecord.Write(reason, task, stuckS, Time.StampNow);
        if (reason != RebootRecord.Watchdog) _app.OnShutdown(); // a stuck app is not called into again
        Outbox.FlushNow(_clock.MonotonicMs);
        Connection.Close(_clock.MonotonicMs);
        Halted = true;
        _platform.Reboot();
    }
}
