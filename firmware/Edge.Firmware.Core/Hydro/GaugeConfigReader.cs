using Edge.Firmware.Protocol;

namespace Edge.Firmware.Hydro;

/// <summary>
/// Reads and validates a gauge configuration (JSON, documented in docs/water-gauge.md). Every problem
/// is collected with its JSON path, so an installer sees all of them at once; nothing invalid is ever
/// replaced by a default. Runs once at start-up or when a new config arrives, so it may allocate.
/// </summary>
public sealed class GaugeConfigReader
{
    private const int NoValue = int.MinValue;

    private static readonly string[] ModeNames = { "stream", "tank" };

    // Every problem is collected, worded "must be …"; each member may be given once.
    private readonly DocumentReader _r = new DocumentReader(int.MaxValue) { MismatchVerb = "must be " };

    // Values as read; NoValue when absent or invalid (an invalid value already has its error).
    private string _mode = "stream";
    private bool _modeValid = true;
    private bool _datumPresent;
    private int _mount = NoValue, _datum = 0;
    private int _minRange = 300, _maxRange = 5000, _noEcho = -1, _burst = GaugeConfig.DefaultBurstSize, _stuckWindow = 21600, _absentAfter = 3;
    private int _spikeRate = 200, _spikeConfirm = 1;
    private readonly int[] _level = { NoValue, NoValue, NoValue, NoValue };
    private readonly int[] _hysteresis = { NoValue, NoValue, NoValue, NoValue };
    private readonly int[] _dwell = { NoValue, NoValue, NoValue, NoValue };
    private bool _thresholdsPresent;
    private int _riseMm = 100, _riseWindow = 600, _riseClear = NoValue;
    private int _calm = 900, _fast = 60, _rising = 30;
    private bool _batteryPresent;
    private int _capacity = NoValue, _emptyMv = NoValue, _fullMv = NoValue, _activeMa = NoValue, _activeMs = NoValue, _sleepUa = NoValue;

    private GaugeConfigReader()
    {
    }

    /// <summary>Parses a whole UTF-8 document; throws <see cref="GaugeConfigException"/> listing every problem.</summary>
    public static GaugeConfig Parse(byte[] utf8)
    {
        return Parse(utf8, 0, utf8.Length);
    }

    public static GaugeConfig Parse(byte[] utf8, int offset, int count)
    {
        var reader = new GaugeConfigReader();
        reader._r.Reset(utf8, offset, count);
        try
        {
            reader.ReadRoot();
            reader._r.Finish();
        }
        catch (JsonFormatException e)
        {
            reader._r.Add(e.Message);
            throw new GaugeConfigException(reader._r.TakeErrors());
        }
        reader.CrossCheck();
        if (reader._r.ErrorCount > 0) throw new GaugeConfigException(reader._r.TakeErrors());
        return reader.Build();
    }

    // ---- structure ----------------------------------------------------------------------------

    private void ReadRoot()
    {
        if (!_r.Enter(JsonToken.StartObject, "", "an object")) return;
        while (_r.NextProperty())
        {
            if (_r.Is("mode")) ReadMode();
            else if (_r.Is("mountingHeightMm")) _mount = ReadInt("mountingHeightMm", 100, 50000);
            else if (_r.Is("datumOffsetMm")) { _datumPresent = true; _datum = ReadInt("datumOffsetMm", -100000, 100000); }
            else if (_r.Is("sensor")) ReadSensor();
            else if (_r.Is("spike")) ReadSpike();
            else if (_r.Is("thresholds")) ReadThresholds();
            else if (_r.Is("rateOfRise")) ReadRateOfRise();
            else if (_r.Is("sampling")) ReadSampling();
            else if (_r.Is("battery")) ReadBattery();
            else _r.UnknownField("");
        }
    }

    private void ReadMode()
    {
        if (!_r.FirstTime("mode")) return;
        int mode = _r.Choice("mode", ModeNames, "\"stream\" or \"tank\"");
        if (mode >= 0)
        {
            _mode = ModeNames[mode];
            return;
        }
        _modeValid = false;
        if (mode == DocumentReader.NotAChoice) _r.Error("mode", "must be \"stream\" or \"tank\"");
    }

    private void ReadSensor()
    {
        if (!_r.FirstTime("sensor") || !_r.Enter(JsonToken.StartObject, "sensor", "an object")) return;
        while (_r.NextProperty())
        {
            if (_r.Is("minRangeMm")) _minRange = ReadInt("sensor.minRangeMm", 0, 50000);
            else if (_r.Is("maxRangeMm")) _maxRange = ReadInt("sensor.maxRangeMm", 1, 50000);
            else if (_r.Is("noEchoMm")) _noEcho = ReadInt("sensor.noEchoMm", 0, 100000);
            else if (_r.Is("burstSize")) _burst = ReadInt("sensor.burstSize", 1, GaugeConfig.MaxBurstSize);
            else if (_r.Is("stuckWindowS")) _stuckWindow = ReadInt("sensor.stuckWindowS", 0, 7 * 86400);
            else if (_r.Is("absentAfterSamples")) _absentAfter = ReadInt("sensor.absentAfterSamples", 1, 1000);
            else _r.UnknownField("sensor");
        }
    }

    private void ReadSpike()
    {
        if (!_r.FirstTime("spike") || !_r.Enter(JsonToken.StartObject, "spike", "an object")) return;
        while (_r.NextProperty())
        {
            if (_r.Is("maxRateMmPerMin")) _spikeRate = ReadInt("spike.maxRateMmPerMin", 1, 100000);
            else if (_r.Is("confirmSamples")) _spikeConfirm = ReadInt("spike.confirmSamples", 1, 10);
            else _r.UnknownField("spike");
        }
    }

    private void ReadThresholds()
    {
        if (!_r.FirstTime("thresholds") || !_r.Enter(JsonToken.StartObject, "thresholds", "an object")) return;
        _thresholdsPresent = true;
        while (_r.NextProperty())
        {
            if (_r.Is("watch")) ReadThreshold(FloodState.Watch);
            else if (_r.Is("warning")) ReadThreshold(FloodState.Warning);
            else if (_r.Is("alarm")) ReadThreshold(FloodState.Alarm);
            else _r.UnknownField("thresholds");
        }
    }

    private void ReadThreshold(FloodState state)
    {
        string path = ThresholdPath(state);
        if (!_r.FirstTime(path) || !_r.Enter(JsonToken.StartObject, path, "an object")) return;
        int k = (int)state;
        // Present-but-invalid stays NoValue; absent gets its own "required" message below.
        bool level = false, hysteresis = false, dwell = false;
        while (_r.NextProperty())
        {
            if (_r.Is("level")) { level = true; _level[k] = ReadInt(path + ".level", -100000, 100000); }
            else if (_r.Is("hysteresisMm")) { hysteresis = true; _hysteresis[k] = ReadInt(path + ".hysteresisMm", 0, 100000); }
            else if (_r.Is("dwellS")) { dwell = true; _dwell[k] = ReadInt(path + ".dwellS", 0, 86400); }
            else _r.UnknownField(path);
        }
        if (!level) _r.Error(path + ".level", "required");
        if (!hysteresis) _r.Error(path + ".hysteresisMm", "required (use 0 for none)");
        if (!dwell) _r.Error(path + ".dwellS", "required (use 0 for none)");
    }

    private void ReadRateOfRise()
    {
        if (!_r.FirstTime("rateOfRise") || !_r.Enter(JsonToken.StartObject, "rateOfRise", "an object")) return;
        while (_r.NextProperty())
        {
            if (_r.Is("riseMm")) _riseMm = ReadInt("rateOfRise.riseMm", 1, 100000);
            else if (_r.Is("windowS")) _riseWindow = ReadInt("rateOfRise.windowS", 60, 86400);
            else if (_r.Is("clearMm")) _riseClear = ReadInt("rateOfRise.clearMm", 0, 100000);
            else _r.UnknownField("rateOfRise");
        }
    }

    private void ReadSampling()
    {
        if (!_r.FirstTime("sampling") || !_r.Enter(JsonToken.StartObject, "sampling", "an object")) return;
        while (_r.NextProperty())
        {
            if (_r.Is("calmIntervalS")) _calm = ReadInt("sampling.calmIntervalS", 60, 86400);
            else if (_r.Is("fastIntervalS")) _fast = ReadInt("sampling.fastIntervalS", 10, 3600);
            else if (_r.Is("risingMm")) _rising = ReadInt("sampling.risingMm", 1, 100000);
            else _r.UnknownField("sampling");
        }
    }

    private void ReadBattery()
    {
        if (!_r.FirstTime("battery") || !_r.Enter(JsonToken.StartObject, "battery", "an object")) return;
        _batteryPresent = true;
        bool capacity = false, empty = false, full = false, activeMa = false, activeMs = false, sleep = false;
        while (_r.NextProperty())
        {
            if (_r.Is("capacityMah")) { capacity = true; _capacity = ReadInt("battery.capacityMah", 1, 10000000); }
            else if (_r.Is("emptyMv")) { empty = true; _emptyMv = ReadInt("battery.emptyMv", 1, 60000); }
            else if (_r.Is("fullMv")) { full = true; _fullMv = ReadInt("battery.fullMv", 1, 60000); }
            else if (_r.Is("activeCurrentMa")) { activeMa = true; _activeMa = ReadInt("battery.activeCurrentMa", 0, 10000); }
            else if (_r.Is("activeMsPerSample")) { activeMs = true; _activeMs = ReadInt("battery.activeMsPerSample", 0, 600000); }
            else if (_r.Is("sleepCurrentUa")) { sleep = true; _sleepUa = ReadInt("battery.sleepCurrentUa", 1, 1000000); }
            else _r.UnknownField("battery");
        }
        if (!capacity) _r.Error("battery.capacityMah", "required");
        if (!empty) _r.Error("battery.emptyMv", "required");
        if (!full) _r.Error("battery.fullMv", "required");
        if (!activeMa) _r.Error("battery.activeCurrentMa", "required");
        if (!activeMs) _r.Error("battery.activeMsPerSample", "required");
        if (!sleep) _r.Error("battery.sleepCurrentUa", "required");
    }

    // ---- relations between fields ----------------------------------------------------------

    private void CrossCheck()
    {
        bool tank = _mode == "tank";
        if (_mount == NoValue && !_r.HasErrorAbout("mountingHeightMm")) _r.Error("mountingHeightMm", "required");
        if (Ok(_minRange) && Ok(_maxRange) && _maxRange <= _minRange)
            _r.Error("sensor.maxRangeMm", "must be above sensor.minRangeMm (" + _minRange.ToString() + ")");
        if (Ok(_mount) && Ok(_minRange) && _mount <= _minRange)
            _r.Error("mountingHeightMm", "must be above sensor.minRangeMm (" + _minRange.ToString() + "), or the sensor could never see the water");
        if (_modeValid && tank && _datumPresent && _datum != 0)
            _r.Error("datumOffsetMm", "not used in tank mode (levels are measured from the bottom); remove it");
        if (_modeValid && !tank && Ok(_mount) && Ok(_datum) && _datum >= _mount)
            _r.Error("datumOffsetMm", "must be below mountingHeightMm (" + _mount.ToString() + ")");
        if (Ok(_noEcho) && _noEcho >= 0 && Ok(_minRange) && Ok(_maxRange) && _noEcho >= _minRange && _noEcho < _maxRange && Ok(_mount) && _noEcho < _mount)
            _r.Error("sensor.noEchoMm", _noEcho.ToString() + " is a distance where water can be; the sensor's no-echo value must lie outside the measurable range");
        if (Ok(_stuckWindow) && Ok(_calm) && _stuckWindow != 0 && _stuckWindow < _calm)
            _r.Error("sensor.stuckWindowS", "must be 0 (off) or at least sampling.calmIntervalS (" + _calm.ToString() + ")");

        if (!_thresholdsPresent && !_r.HasErrorAbout("thresholds")) _r.Error("thresholds", "required (watch, warning and alarm)");
        else if (_thresholdsPresent) CheckThresholds(tank);

        if (Ok(_riseMm) && Ok(_riseClear) && _riseClear >= _riseMm)
            _r.Error("rateOfRise.clearMm", "must be below rateOfRise.riseMm (" + _riseMm.ToString() + ")");
        if (Ok(_calm) && Ok(_fast) && _fast > _calm)
            _r.Error("sampling.fastIntervalS", "must not exceed sampling.calmIntervalS (" + _calm.ToString() + ")");
        if (_batteryPresent)
        {
            if (Ok(_emptyMv) && Ok(_fullMv) && _fullMv <= _emptyMv)
                _r.Error("battery.fullMv", "must be above battery.emptyMv (" + _emptyMv.ToString() + ")");
            if (Ok(_activeMs) && Ok(_fast) && _activeMs >= _fast * 1000)
                _r.Error("battery.activeMsPerSample", "must be shorter than sampling.fastIntervalS (" + _fast.ToString() + " s)");
        }
    }

    private void CheckThresholds(bool tank)
    {
        bool geometry = _modeValid && Ok(_mount) && Ok(_minRange) && Ok(_maxRange) && (tank || Ok(_datum));
        int offset = tank ? 0 : _datum;
        int highest = geometry ? _mount - _minRange - offset : 0;
        int farthest = _mount < _maxRange ? _mount : _maxRange;
        int lowest = geometry ? _mount - farthest - offset : 0;
        for (int k = 1; k <= 3; k++)
        {
            string path = ThresholdPath((FloodState)k);
            int level = _level[k];
            if (!Ok(level)) continue;
            if (k > 1 && Ok(_level[k - 1]) && level <= _level[k - 1])
                _r.Error(path + ".level", "must be above " + ThresholdPath((FloodState)(k - 1)) + ".level (" + _level[k - 1].ToString() + ")");
            if (geometry && level > highest)
                _r.Error(path + ".level", level.ToString() + " is above the highest level the sensor can measure (" + highest.ToString() + " = mountingHeightMm − sensor.minRangeMm" + (tank ? "" : " − datumOffsetMm") + ")");
            // The state must be releasable: its release level has to be measurable and above the state below.
            int floor = k > 1 ? _level[k - 1] : (geometry ? lowest : NoValue);
            bool aboveStateBelow = k == 1 || !Ok(_level[k - 1]) || level > _level[k - 1]; // else already reported
            if (aboveStateBelow && Ok(_hysteresis[k]) && Ok(floor) && level - _hysteresis[k] <= floor)
            {
                string below = k > 1 ? ThresholdPath((FloodState)(k - 1)) + ".level (" + floor.ToString() + ")" : "the lowest level the sensor can measure (" + floor.ToString() + ")";
                if (k == 1 && level <= floor)
                    _r.Error(path + ".level", "must be above " + below);
                else
                    _r.Error(path + ".hysteresisMm", _hysteresis[k].ToString() + " would put the release level at or below " + below + "; must be less than " + (level - floor).ToString());
            }
        }
    }

    private GaugeConfig Build()
    {
        var config = new GaugeConfig(
            _mount,
            new ThresholdConfig(_level[1], _hysteresis[1], _dwell[1]),
            new ThresholdConfig(_level[2], _hysteresis[2], _dwell[2]),
            new ThresholdConfig(_level[3], _hysteresis[3], _dwell[3]));
        config.Mode = _mode == "tank" ? GaugeMode.Tank : GaugeMode.Stream;
        config.DatumOffsetMm = _datum;
        config.SensorMinRangeMm = _minRange;
        config.SensorMaxRangeMm = _maxRange;
        config.NoEchoMm = _noEcho;
        config.BurstSize = _burst;
        config.StuckWindowS = _stuckWindow;
        config.AbsentAfterSamples = _absentAfter;
        config.SpikeMaxRateMmPerMin = _spikeRate;
        config.SpikeConfirmSamples = _spikeConfirm;
        config.RiseMm = _riseMm;
        config.RiseWindowS = _riseWindow;
        config.RiseClearMm = _riseClear == NoValue ? _riseMm / 2 : _riseClear;
        config.CalmIntervalS = _calm;
        config.FastIntervalS = _fast;
        config.RisingMm = _rising;
        if (_batteryPresent)
        {
            config.HasBattery = true;
            config.BatteryCapacityMah = _capacity;
            config.BatteryEmptyMv = _emptyMv;
            config.BatteryFullMv = _fullMv;
            config.ActiveCurrentMa = _activeMa;
            config.ActiveMsPerSample = _activeMs;
            config.SleepCurrentUa = _sleepUa;
        }
        return config;
    }

    // ---- helpers -------------------------------------------------------------------------------

    private static string ThresholdPath(FloodState state)
    {
        if (state == FloodState.Watch) return "thresholds.watch";
        if (state == FloodState.Warning) return "thresholds.warning";
        return "thresholds.alarm";
    }

    private static bool Ok(int value) { return value != NoValue; }

    /// <summary>A member given once, as a whole number in [min, max]; NoValue after a problem (already reported).</summary>
    private int ReadInt(string path, int min, int max)
    {
        return _r.FirstTime(path) ? (int)_r.Whole(path, min, max, NoValue) : NoValue;
    }
}
