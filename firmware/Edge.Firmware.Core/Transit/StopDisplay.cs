using Edge.Firmware.Time;

namespace Edge.Firmware.Transit;

/// <summary>
/// The bus-stop sign's brain: holds the latest content and the stored timetable, decides each tick what
/// the panel shows (<see cref="Update"/>), and draws it band by band (<see cref="RenderBand"/>) so a
/// plain ESP32 can stream a large e-paper frame without holding it. Live arrivals are shown while
/// fresh; when they are older than <see cref="DisplaySettings.StaleAfterSeconds"/> or past validUntil
/// the timetable takes over, marked as scheduled, with a line saying live data is unavailable.
/// Update and RenderBand allocate nothing.
/// </summary>
public sealed class StopDisplay
{
    public const int MaxRows = 8;

    private readonly DisplaySettings _settings;
    private readonly StopLayout _layout;
    private readonly BandCanvas _canvas = new BandCanvas();
    private readonly StopPainter _painter;

    private DisplayContent? _content;
    private Timetable? _timetable;

    // What the panel shows, decided by Update and read by the painter.
    internal readonly Arrival[] Rows = new Arrival[MaxRows];
    // Timetable rows are decoded from the compact timetable into these, one per row, at each Update.
    private readonly Arrival[] _scheduled = new Arrival[MaxRows];
    internal readonly char[][] Minutes = new char[MaxRows][];
    internal readonly int[] MinutesLength = new int[MaxRows];
    internal readonly bool[] Due = new bool[MaxRows];
    internal readonly bool[] ShowsClockTime = new bool[MaxRows];
    private int _offset;
    internal readonly char[] Clock = new char[5];

    public StopDisplay(DisplaySettings settings)
    {
        _settings = settings;
        _layout = new StopLayout(settings.Width, settings.Height);
        _painter = new StopPainter(_layout);
        var none = new BilingualText("", "");
        for (int i = 0; i < MaxRows; i++)
        {
            Minutes[i] = new char[8];
            _scheduled[i] = new Arrival("", none, 0, false, false);
        }
    }

    public DisplaySettings Settings { get { return _settings; } }

    /// <summary>Bytes per panel row in the 1-bit frame: (width + 7) / 8.</summary>
    public int BytesPerRow { get { return (_settings.Width + 7) / 8; } }

    /// <summary>How many arrival rows the layout has room for.</summary>
    public int Capacity { get { return _layout.Rows; } }

    /// <summary>True when both languages are on the panel at once; otherwise they alternate by minute.</summary>
    public bool Bilingual { get { return _layout.Large; } }

    // ---- the state after Update ----

    public int RowCount { get; private set; }

    public Arrival RowAt(int i) { return Rows[i]; }

    /// <summary>False when the rows come from the timetable because live data is missing or stale.</summary>
    public bool Live { get; private set; }

    public BilingualText? StopName { get; private set; }

    public EmergencyBanner? Banner { get; private set; }

    /// <summary>
    /// Whether the banner is on the panel this minute. The large design always shows it, above the next
    /// departures; the compact one has no room for both, so pairs of minutes alternate: the banner (Greek,
    /// then English), then the departures (Greek, then English) with the banner's title in the footer.
    /// </summary>
    public bool BannerShown { get; private set; }

    public BilingualText? Notice { get; private set; }

    /// <summary>The language of a single-language panel this minute.</summary>
    public DisplayLanguage Language { get; private set; }

    public bool AnyScheduled { get; private set; }

    public bool ClockKnown { get; private set; }

    /// <summary>
    /// The node id shown over the header while someone on site identifies the sign (protocol §10.2
    /// <c>identify</c>); null when not identifying. Set and cleared by the node, kept across Update.
    /// </summary>
    public string? Identity { get; private set; }

    public void ShowIdentity(string nodeId) { Identity = nodeId; }

    public void ClearIdentity() { Identity = null; }

    /// <summary>Takes a newly received document; one with a version not newer than the current is ignored.</summary>
    public bool SetContent(DisplayContent content)
    {
        if (_content != null && content.Version <= _content.Version) return false;
        _content = content;
        return true;
    }

    public void SetTimetable(Timetable timetable) { _timetable = timetable; }

    /// <summary>Decides what the panel shows at <paramref name="now"/> (UTC seconds).</summary>
    public void Update(long now)
    {
        DisplayContent? content = _content != null && now < _content.ValidUntil ? _content : null;
        Live = content != null && now - content.GeneratedAt <= _settings.StaleAfterSeconds;

        int offset = 0;
        ClockKnown = true;
        if (content != null) offset = content.UtcOffsetSeconds;
        else if (_timetable == null || !_timetable.TryGetOffset(now, out offset))
        {
            if (_content != null) offset = _content.UtcOffsetSeconds;
            else ClockKnown = _timetable != null;
        }
        _offset = offset;
        long local = now + offset;
        int secondOfDay = CivilTime.SecondOfDay(local);
        int hour = secondOfDay / 3600;
        int minute = secondOfDay / 60 % 60;
        Clock[0] = (char)('0' + hour / 10);
        Clock[1] = (char)('0' + hour % 10);
        Clock[2] = ':';
        Clock[3] = (char)('0' + minute / 10);
        Clock[4] = (char)('0' + minute % 10);
        long minuteCount = CivilTime.DayOf(local) * 1440L + secondOfDay / 60;
        Language = minuteCount % 2 == 0 ? DisplayLanguage.Greek : DisplayLanguage.English;

        StopName = content != null ? content.StopName : _timetable != null ? _timetable.StopName : _content != null ? _content.StopName : null;
        Banner = content != null ? content.Banner : null;
        BannerShown = Banner != null && (_layout.Large || minuteCount / 2 % 2 == 1);
        Notice = null;
        if (content != null && content.Notices.Length > 0)
        {
            long slot = now / (_settings.NoticeSeconds > 0 ? _settings.NoticeSeconds : 1);
            Notice = content.Notices[(int)(slot % content.Notices.Length)];
        }

        RowCount = 0;
        AnyScheduled = false;
        if (Live)
        {
            Arrival[] arrivals = content!.Arrivals;
            for (int i = 0; i < arrivals.Length && RowCount < _layout.Rows; i++)
            {
                if (arrivals[i].At + _settings.DepartedGraceSeconds < now) continue;
                AddRow(arrivals[i], now);
            }
        }
        else if (_timetable != null)
        {
            int count = _timetable.Count;
            for (int i = _timetable.FirstAtOrAfter(now); i < count && RowCount < _layout.Rows; i++)
            {
                Arrival row = _scheduled[RowCount];
                _timetable.Fill(i, row);
                AddRow(row, now);
            }
        }
    }

    private void AddRow(Arrival a, long now)
    {
        int row = RowCount++;
        Rows[row] = a;
        if (!a.Realtime) AnyScheduled = true;
        long wait = a.At - now;
        Due[row] = wait < 60;
        char[] buf = Minutes[row];
        int n = 0;
        long minutes = wait / 60;
        // An hour or more away, a countdown is hard to use: show the local departure time instead.
        ShowsClockTime[row] = minutes >= 60;
        if (ShowsClockTime[row])
        {
            int secondOfDay = CivilTime.SecondOfDay(a.At + _offset);
            int hour = secondOfDay / 3600;
            int minute = secondOfDay / 60 % 60;
            buf[n++] = (char)('0' + hour / 10);
            buf[n++] = (char)('0' + hour % 10);
            buf[n++] = ':';
            buf[n++] = (char)('0' + minute / 10);
            buf[n++] = (char)('0' + minute % 10);
        }
        else if (!Due[row])
        {
            if (minutes >= 10) buf[n++] = (char)('0' + (int)(minutes / 10));
            buf[n++] = (char)('0' + (int)(minutes % 10));
            if (!_layout.Large) buf[n++] = '\'';
        }
        if (!a.Realtime && !a.Cancelled) buf[n++] = '*';
        MinutesLength[row] = n;
    }

    /// <summary>
    /// Draws rows [firstRow, firstRow + rowCount) of the frame into <paramref name="band"/>
    /// (rowCount × <see cref="BytesPerRow"/> bytes; 1 = ink). Call <see cref="Update"/> first.
    /// </summary>
    public void RenderBand(int firstRow, int rowCount, byte[] band)
    {
        if (firstRow < 0 || rowCount < 0 || firstRow + rowCount > _settings.Height) throw new System.ArgumentOutOfRangeException("firstRow", "band outside the panel");
        if (band.Length < rowCount * BytesPerRow) throw new System.ArgumentException("band buffer too small", "band");
        _canvas.Begin(_settings.Width, firstRow, rowCount, band);
        _painter.Paint(this, _canvas);
    }

    /// <summary>The whole frame at once (height × <see cref="BytesPerRow"/> bytes), for hosts with the memory.</summary>
    public void RenderFrame(byte[] frame) { RenderBand(0, _settings.Height, frame); }
}
