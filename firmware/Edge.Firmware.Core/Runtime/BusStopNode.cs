using Edge.Firmware.Protocol;
using Edge.Firmware.Time;
using Edge.Firmware.Transit;

namespace Edge.Firmware.Runtime;

/// <summary>
/// A bus-stop node: <see cref="StopDisplay"/> on the wire. Applies <c>display</c> messages by the
/// config rules (only newer, validated whole, persisted, rejected ones reported), redraws the panel band
/// by band every minute and when the content changes (full refresh every <c>fullRefreshS</c>, none in
/// quiet hours), and publishes telemetry every <c>node.telemetryS</c>. <c>identify</c> shows the node id
/// over the header for <c>durationS</c>, then redraws the normal content in full.
/// </summary>
public sealed class BusStopNode : INodeApp
{
    public const int BandRows = 16;
    public const string StoreName = "display";

    private readonly IDisplayPanel _panel;
    private readonly DisplaySettings _hardware;
    private readonly VersionedStore _store;
    private readonly DisplayDecoder _decoder = new DisplayDecoder();
    private readonly byte[] _band;
    private StopDisplay _display;
    private BusStopSettings _settings = new BusStopSettings();
    private PosixTimeZone? _zone;
    private long _contentVersion;
    private long _reportedVersion = -2;
    private bool _redraw = true;
    private bool _forceFull = true;
    private long _nextRedrawMs;
    private long _lastFullMs;
    private long _refreshedTs;
    private long _nextTelemetryMs;
    private long _identifyUntilMs = -1; // -1: not identifying

    /// <param name="hardware">The panel fitted (its size) and the display timings to start with.</param>
    public BusStopNode(NodeOptions options, IMessageLink link, IStorage storage, IClock clock, IPlatform platform,
        ISntpClient? sntp, IDisplayPanel panel, DisplaySettings hardware)
    {
        _panel = panel;
        _hardware = hardware;
        _store = new VersionedStore(storage, StoreName);
        _display = new StopDisplay(hardware);
        _band = new byte[_display.BytesPerRow * BandRows];
        Runtime = new NodeRuntime(options, this, link, storage, clock, platform, sntp);
        Runtime.Start();
        RestoreContent();
    }

    public NodeRuntime Runtime { get; }

    public StopDisplay Display { get { return _display; } }

    /// <summary>Version of the content shown (0: none yet).</summary>
    public long ContentVersion { get { return _contentVersion; } }

    public void Tick() { Runtime.Tick(); }

    public string NodeType { get { return Wire.TypeBusStop; } }

    public bool WantsDisplay { get { return true; } }

    public void ApplyDefaults() { }

    public bool TryApplyConfig(NodeConfig config, out string error)
    {
        BusStopSettings s = config.BusStop!;
        if (s.Width != _hardware.Width || s.Height != _hardware.Height)
        {
            error = "busstop.panel: " + s.Panel + " does not match the fitted " + _hardware.Width.ToString() + "x" + _hardware.Height.ToString() + " panel";
            return false;
        }
        _hardware.StaleAfterSeconds = s.StaleAfterS;
        _settings = s;
        _zone = config.Zone;
        _redraw = true;
        error = "";
        return true;
    }

    public void OnDisplay(byte[] payload, int offset, int count)
    {
        DisplayMessage message;
        try
        {
            message = _decoder.Decode(payload, offset, count);
        }
        catch (MessageFormatException e)
        {
            Reject(e.Version, e.Code, e.Errors);
            return;
        }
        if (message.Version == _contentVersion) return;
        if (message.Version < _contentVersion)
        {
            Reject(message.Version, "stale", new string[] { "version " + message.Version.ToString() + " is older than the shown " + _contentVersion.ToString() });
            return;
        }
        Show(message);
        _store.Save(payload, offset, count);
        Runtime.RequestState();
    }

    public void FillStatus(NodeStatus status) { status.DisplayVersion = _contentVersion; }

    public void OnShutdown()
    {
    }

    public bool Supports(string kind)
    {
        return kind == CommandDecoder.KindDisplayRefresh || kind == CommandDecoder.KindIdentify || kind == CommandDecoder.KindSampleNow;
    }

    public CommandResult Execute(CommandMessage command, out string failure)
    {
        failure = "";
        if (command.Kind == CommandDecoder.KindSampleNow)
        {
            _nextTelemetryMs = 0;
            return CommandResult.Ok;
        }
        if (command.Kind == CommandDecoder.KindIdentify)
        {
            _display.ShowIdentity(Runtime.Options.NodeId);
            _identifyUntilMs = Runtime.Clock.MonotonicMs + command.DurationS * 1000L;
        }
        _redraw = true;
        _forceFull = true;
        return CommandResult.Ok;
    }

    public void Tick(long nowMs)
    {
        if (nowMs >= _nextTelemetryMs)
        {
            int interval = Runtime.Config.Current != null ? Runtime.Config.Current.TelemetryS : 300;
            _nextTelemetryMs = nowMs + interval * 1000L;
            var w = Runtime.BeginMessage();
            TelemetryEncoder.WriteBusStop(w, Runtime.Now, Runtime.Ids.Boot, Runtime.Ids.NextSeq(), _contentVersion, !_display.Live, _refreshedTs, -1);
            Runtime.Commit(Outbox.Telemetry);
        }
        if (_identifyUntilMs >= 0 && nowMs >= _identifyUntilMs)
        {
            // Back to the normal content at once, quiet hours or not: the id must not stay on the e-paper.
            _identifyUntilMs = -1;
            _display.ClearIdentity();
            _redraw = true;
            _forceFull = true;
        }
        if (!_redraw && nowMs < _nextRedrawMs) return;
        long utc = Runtime.Clock.UtcSeconds;
        if (!_forceFull && _zone != null && _settings.IsQuiet((int)(((utc + _zone.OffsetAt(utc)) % 86400 + 86400) % 86400 / 60))) return;
        bool full = _forceFull || nowMs - _lastFullMs >= _settings.FullRefreshS * 1000L;
        _display.Update(utc);
        _panel.BeginFrame(full);
        int height = _hardware.Height;
        for (int row = 0; row < height; row += BandRows)
        {
            int rows = height - row < BandRows ? height - row : BandRows;
            _display.RenderBand(row, rows, _band);
            _panel.WriteBand(row, rows, _band, _display.BytesPerRow);
        }
        if (_panel.EndFrame()) _refreshedTs = Runtime.Now;
        if (full) _lastFullMs = nowMs;
        _redraw = false;
        _forceFull = false;
        _nextRedrawMs = nowMs + 60000;
    }

    private void Show(DisplayMessage message)
    {
        _display.SetContent(message.Content!);
        if (message.Timetable != null) _display.SetTimetable(message.Timetable);
        _contentVersion = message.Version;
        _redraw = true;
    }

    private void Reject(long version, string code, string[] errors)
    {
        if (version == _reportedVersion && version >= 0) return; // once per version per boot
        _reportedVersion = version;
        Runtime.ReportRejected("display", version, code, _contentVersion, errors);
    }

    private void RestoreContent()
    {
        var buffer = new byte[Wire.MaxDocumentBytes];
        int length = _store.Load(buffer);
        if (length <= 0) return;
        try
        {
            Show(_decoder.Decode(buffer, 0, length));
        }
        catch (JsonFormatException)
        {
            // Stored by a firmware that read it differently: wait for the retained copy.
        }
    }
}
