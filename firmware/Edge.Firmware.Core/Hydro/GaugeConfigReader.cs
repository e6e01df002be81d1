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

    private readonly JsonReader _json = new JsonReader();
    private string[] _errors = new string[8];
    private int _errorCount;
    private string[] _seen = new string[48];
    private int _seenCount;

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
        reader._json.Reset(utf8, offset, count);
        try
        {
            reader.ReadRoot();
            // Reading to the end proves nothing follows the root object.
            while (reader._json.Read())
            {
            }
        }
        catch (JsonFormatException e)
        {
            reader.Error(e.Message);
            throw new GaugeConfigException(reader.TakeErrors());
        }
        reader.CrossCheck();
        if (reader._errorCount > 0) throw new GaugeConfigException(reader.TakeErrors());
        return reader.Build();
    }

    // ---- structure ----------------------------------------------------------------------------

    private void ReadRoot()
    {
        if (!EnterObject("(document)")) return;
        while (NextProperty())
        {
            if (Is("mode")) ReadMode();
            else if (Is("mountingHeightMm")) _mount = ReadInt("mountingHeightMm", 100, 50000);
            else if (Is("datumOffsetMm")) { _datumPresent = true; _datum = ReadInt("datumOffsetMm", -100000, 100000); }
            else if (Is("sensor")) ReadSensor();
            else if (Is("spike")) ReadSpike();
            else if (Is("thresholds")) ReadThresholds();
            else if (Is("rateOfRise")) ReadRateOfRise();
            else if (Is("sampling")) ReadSampling();
            else if (Is("battery")) ReadBattery();
            else Unknown("");
        }
    }

    private void ReadMode()
    {
        if (!MarkSeen("mode")) return;
        _json.Read();
        if (_json.Token == JsonToken.String && _json.ValueEquals("stream")) _mode = "stream";
        else if (_json.Token == JsonToken.String && _json.ValueEquals("tank")) _mode = "tank";
        else
        {
            _modeValid = false;
            Error("mode: must be \"stream\" or \"tank\"");
            _json.Skip();
        }
    }

    private void ReadSensor()
    {
        if (!MarkSeen("sensor") || !EnterObject("sensor")) return;
        while (NextProperty())
        {
            if (Is("minRangeMm")) _minRange = ReadInt("sensor.minRangeMm", 0, 50000);
            else if (Is("maxRangeMm")) _maxRange = ReadInt("sensor.maxRangeMm", 1, 50000);
            else if (Is("noEchoMm")) _noEcho = ReadInt("sensor.noEchoMm", 0, 100000);
            else if (Is("burstSize")) _burst = ReadInt("sensor.burstSize", 1, GaugeConfig.MaxBurstSize);
            else if (Is("stuckWindowS")) _stuckWindow = ReadInt("sensor.stuckWindowS", 0, 7 * 86400);
            else if (Is("absentAfterSamples")) _absentAfter = ReadInt("sensor.absentAfterSamples", 1, 1000);
            else Unknown("sensor.");
        }
    }

    private void ReadSpike()
    {
        if (!MarkSeen("spike") || !EnterObject("spike")) return;
        while (NextProperty())
        {
            if (Is("maxRateMmPerMin")) _spikeRate = ReadInt("spike.maxRateMmPerMin", 1, 100000);
            else if (Is("confirmSamples")) _spikeConfirm = ReadInt("spike.confirmSamples", 1, 10);
            else Unknown("spike.");
        }
    }

    private void ReadThresholds()
    {
        if (!MarkSeen("thresholds") || !EnterObject("thresholds")) return;
        _thresholdsPresent = true;
        while (NextProperty())
        {
            if (Is("watch")) ReadThreshold(FloodState.Watch);
            else if (Is("warning")) ReadThreshold(FloodState.Warning);
            else if (Is("alarm")) ReadThreshold(FloodState.Alarm);
            else Unknown("thresholds.");
        }
    }

    private void ReadThreshold(FloodState state)
    {
        string path = ThresholdPath(state);
        if (!MarkSeen(path) || !EnterObject(path)) return;
        int k = (int)state;
        // Present-but-invalid stays NoValue; absent gets its own "required" message below.
        bool level = false, hysteresis = false, dwell = false;
        while (NextProperty())
        {
            if (Is("level")) { level = true; _level[k] = ReadInt(path + ".level", -100000, 100000); }
            else if (Is("hysteresisMm")) { hysteresis = true; _hysteresis[k] = ReadInt(path + ".hysteresisMm", 0, 100000); }
            else if (Is("dwellS")) { dwell = true; _dwell[k] = ReadInt(path + ".dwellS", 0, 86400); }
            else Unknown(path + ".");
        }
        if (!level) Error(path + ".level: required");
        if (!hysteresis) Error(path + ".hysteresisMm: required (use 0 for none)");
        if (!dwell) Error(path + ".dwellS: required (use 0 for none)");
    }

    private void ReadRateOfRise()
    {
        if (!MarkSeen("rateOfRise") || !EnterObject("rateOfRise")) return;
        while (NextProperty())
        {
            if (Is("riseMm")) _riseMm = ReadInt("rateOfRise.riseMm", 1, 100000);
            else if (Is("windowS")) _riseWindow = ReadInt("rateOfRise.windowS", 60, 86400);
            else if (Is("clearMm")) _riseClear = ReadInt("rateOfRise.clearMm", 0, 100000);
            else Unknown("rateOfRise.");
        }
    }

    private void ReadSampling()
    {
        if (!MarkSeen("sampling") || !EnterObject("sampling")) return;
        while (NextProperty())
        {
            if (Is("calmIntervalS")) _calm = ReadInt("sampling.calmIntervalS", 60, 86400);
            else if (Is("fastIntervalS")) _fast = ReadInt("sampling.fastIntervalS", 10, 3600);
            else if (Is("risingMm")) _rising = ReadInt("sampling.risingMm", 1, 100000);
            else Unknown("sampling.");
        }
    }

    private void ReadBattery()
    {
        if (!MarkSeen("battery") || !EnterObject("battery")) return;
        _batteryPresent = true;
        bool capacity = false, empty = false, full = false, activeMa = false, activeMs = false, sleep = false;
        while (NextProperty())
        {
            if (Is("capacityMah")) { capacity = true; _capacity = ReadInt("battery.capacityMah", 1, 10000000); }
            else if (Is("emptyMv")) { empty = true; _emptyMv = ReadInt("battery.emptyMv", 1, 60000); }
            else if (Is("fullMv")) { full = true; _fullMv = ReadInt("battery.fullMv", 1, 60000); }
            else if (Is("activeCurrentMa")) { activeMa = true; _activeMa = ReadInt("battery.activeCurrentMa", 0, 10000); }
            else if (Is("activeMsPerSample")) { activeMs = true; _activeMs = ReadInt("battery.activeMsPerSample", 0, 600000); }
            else if (Is("sleepCurrentUa")) { sleep = true; _sleepUa = ReadInt("battery.sleepCurrentUa", 1, 1000000); }
            else Unknown("battery.");
        }
        if (!capacity) Error("battery.capacityMah: required");
        if (!empty) Error("battery.emptyMv: required");
        if (!full) Error("battery.fullMv: required");
        if (!activeMa) Error("battery.activeCurrentMa: required");
        if (!activeMs) Error("battery.activeMsPerSample: required");
        if (!sleep) Error("battery.sleepCurrentUa: required");
    }

    // ---- relations between fields ----------------------------------------------------------

    private void CrossCheck()
    {
        bool tank = _mode == "tank";
        if (_mount == NoValue && !Reported("mountingHeightMm")) Error("mountingHeightMm: required");
        if (Ok(_minRange) && Ok(_maxRange) && _maxRange <= _minRange)
            Error("sensor.maxRangeMm: must be above sensor.minRangeMm (" + _minRange.ToString() + ")");
        if (Ok(_mount) && Ok(_minRange) && _mount <= _minRange)
            Error("mountingHeightMm: must be above sensor.minRangeMm (" + _minRange.ToString() + "), or the sensor could never see the water");
        if (_modeValid && tank && _datumPresent && _datum != 0)
            Error("datumOffsetMm: not used in tank mode (levels are measured from the bottom); remove it");
        if (_modeValid && !tank && Ok(_mount) && Ok(_datum) && _datum >= _mount)
            Error("datumOffsetMm: must be below mountingHeightMm (" + _mount.ToString() + ")");
        if (Ok(_noEcho) && _noEcho >= 0 && Ok(_minRange) && Ok(_maxRange) && _noEcho >= _minRange && _noEcho < _maxRange && Ok(_mount) && _noEcho < _mount)
            Error("sensor.noEchoMm: " + _noEcho.ToString() + " is a distance where water can be; the sensor's no-echo value must lie outside the measurable range");
        if (Ok(_stuckWindow) && Ok(_calm) && _stuckWindow != 0 && _stuckWindow < _calm)
            Error("sensor.stuckWindowS: must be 0 (off) or at least sampling.calmIntervalS (" + _calm.ToString() + ")");

        if (!_thresholdsPresent && !Reported("thresholds")) Error("thresholds: required (watch, warning and alarm)");
        else if (_thresholdsPresent) CheckThresholds(tank);

        if (Ok(_riseMm) && Ok(_riseClear) && _riseClear >= _riseMm)
            Error("rateOfRise.clearMm: must be below rateOfRise.riseMm (" + _riseMm.ToString() + ")");
        if (Ok(_calm) && Ok(_fast) && _fast > _calm)
            Error("sampling.fastIntervalS: must not exceed sampling.calmIntervalS (" + _calm.ToString() + ")");
        if (_batteryPresent)
        {
            if (Ok(_emptyMv) && Ok(_fullMv) && _fullMv <= _emptyMv)
                Error("battery.fullMv: must be above battery.emptyMv (" + _emptyMv.ToString() + ")");
            if (Ok(_activeMs) && Ok(_fast) && _activeMs >= _fast * 1000)
                Error("battery.activeMsPerSample: must be shorter than sampling.fastIntervalS (" + _fast.ToString() + " s)");
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
                Error(path + ".level: must be above " + ThresholdPath((FloodState)(k - 1)) + ".level (" + _level[k - 1].ToString() + ")");
            if (geometry && level > highest)
                Error(path + ".level: " + level.ToString() + " is above the highest level the sensor can measure (" + highest.ToString() + " = mountingHeightMm − sensor.minRangeMm" + (tank ? "" : " − datumOffsetMm") + ")");
            // The state must be releasable: its release level has to be measurable and above the state below.
            int floor = k > 1 ? _level[k - 1] : (geometry ? lowest : NoValue);
            bool aboveStateBelow = k == 1 || !Ok(_level[k - 1]) || level > _level[k - 1]; // else already reported
            if (aboveStateBelow && Ok(_hysteresis[k]) && Ok(floor) && level - _hysteresis[k] <= floor)
            {
                string below = k > 1 ? ThresholdPath((FloodState)(k - 1)) + ".level (" + floor.ToString() + ")" : "the lowest level the sensor can measure (" + floor.ToString() + ")";
                if (k == 1 && level <= floor)
                    Error(path + ".level: must be above " + below);
                else
                    Error(path + ".hysteresisMm: " + _hysteresis[k].ToString() + " would put the release level at or below " + below + "; must be less than " + (level - floor).ToString());
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

    private bool Is(string name) { return _json.ValueEquals(name); }

    /// <summary>Reads the start of an object value; on anything else reports it and skips the value.</summary>
    private bool EnterObject(string path)
    {
        _json.Read();
        if (_json.Token == JsonToken.StartObject) return true;
        Error(path + ": must be an object");
        _json.Skip();
        return false;
    }

    /// <summary>Advances to the next property name of the current object; false at its end.</summary>
    private bool NextProperty()
    {
        _json.Read();
        return _json.Token == JsonToken.PropertyName;
    }

    private void Unknown(string prefix)
    {
        Error(prefix + _json.GetString() + ": unknown field");
        _json.Skip();
    }

    /// <summary>Records that a field was given; false (with an error, value skipped) when it was already given.</summary>
    private bool MarkSeen(string path)
    {
        for (int i = 0; i < _seenCount; i++)
        {
            if (_seen[i] == path)
            {
                Error(path + ": given more than once");
                _json.Skip();
                return false;
            }
        }
        if (_seenCount == _seen.Length)
        {
            var bigger = new string[_seen.Length * 2];
            for (int i = 0; i < _seenCount; i++) bigger[i] = _seen[i];
            _seen = bigger;
        }
        _seen[_seenCount++] = path;
        return true;
    }

    /// <summary>Whether some error about <paramref name="path"/> was already reported.</summary>
    private bool Reported(string path)
    {
        for (int i = 0; i < _errorCount; i++)
        {
            string e = _errors[i];
            if (e.Length > path.Length && e.Substring(0, path.Length) == path && (e[path.Length] == ':' || e[path.Length] == '.')) return true;
        }
        return false;
    }

    /// <summary>Reads a whole number in [min, max]; on any problem reports it and returns NoValue.</summary>
    private int ReadInt(string path, int min, int max)
    {
        if (!MarkSeen(path)) return NoValue;
        _json.Read();
        if (_json.Token != JsonToken.Number)
        {
            Error(path + ": must be a whole number");
            _json.Skip();
            return NoValue;
        }
        long value;
        try
        {
            value = _json.GetInt64();
        }
        catch (JsonFormatException)
        {
            Error(path + ": must be a whole number");
            return NoValue;
        }
        if (value < min || value > max)
        {
            Error(path + ": " + value.ToString() + " is out of range " + min.ToString() + ".." + max.ToString());
            return NoValue;
        }
        return (int)value;
    }

    private void Error(string message)
    {
        if (_errorCount == _errors.Length)
        {
            var bigger = new string[_errors.Length * 2];
            for (int i = 0; i < _errorCount; i++) bigger[i] = _errors[i];
            _errors = bigger;
        }
        _errors[_errorCount++] = message;
    }

    private string[] TakeErrors()
    {
        var result = new string[_errorCount];
        for (int i = 0; i < _errorCount; i++) result[i] = _errors[i];
        return result;
    }
}
