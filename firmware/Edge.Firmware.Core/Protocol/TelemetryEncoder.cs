using Edge.Firmware.Hydro;
using Edge.Firmware.Lighting;

namespace Edge.Firmware.Protocol;

/// <summary>
/// Writes <c>telemetry</c> payloads (docs/protocol.md §6), one method per node type. Values come in as
/// plain parameters so a node encodes from its live objects without allocating.
/// </summary>
public static class TelemetryEncoder
{
    /// <summary>§6.2. <paramref name="lux"/> below 0 means "no light sensor" (member omitted).</summary>
    public static void WriteStreetLight(JsonWriter w, long ts, long boot, long seq, int level, string source,
        double watts, double volts, long energyWh, double burnHours, long switches, double lux, LampFault faults)
    {
        Header(w, Wire.TypeStreetLight, ts, boot, seq);
        w.Member("level", level);
        w.Member("source", source);
        w.MemberNumber("watts", watts);
        w.MemberNumber("volts", volts);
        w.Member("energyWh", energyWh);
        w.MemberNumber("burnHours", burnHours);
        w.Member("switches", switches);
        if (lux >= 0) w.MemberNumber("lux", lux);
        w.Name("faults");
        WriteFaults(w, faults);
        w.EndObject();
    }

    /// <summary>§6.3: the gauge's own view, read straight from <see cref="Gauge"/>.</summary>
    public static void WriteWaterLevel(JsonWriter w, long ts, long boot, long seq, Gauge gauge)
    {
        Header(w, Wire.TypeWaterLevel, ts, boot, seq);
        if (gauge.HasLevel)
        {
            w.Member("levelMm", gauge.LevelMm);
            w.Member("levelTs", gauge.LevelTime);
        }
        w.Member("state", Names.FloodStateName(gauge.State));
        w.Member("riseMm", gauge.RiseMm);
        w.Member("rateAlarm", gauge.RateOfRiseActive);
        w.Member("sensor", Names.SensorHealthName(gauge.Health));
        if (gauge.BatteryMillivolts > 0) w.Member("batteryMv", gauge.BatteryMillivolts);
        float days = gauge.EstimatedDaysRemaining;
        if (days >= 0) w.Member("daysLeft", (long)days);
        w.Member("samples", gauge.SampleCount);
        w.Member("accepted", gauge.AcceptedCount);
        w.Name("rejected");
        w.StartObject();
        w.Member("noEcho", gauge.Rejected(RejectReason.NoEcho));
        w.Member("tooClose", gauge.Rejected(RejectReason.TooClose));
        w.Member("tooFar", gauge.Rejected(RejectReason.TooFar));
        w.Member("tooFew", gauge.Rejected(RejectReason.TooFewReadings));
        w.Member("spike", gauge.Rejected(RejectReason.Spike));
        w.Member("stuck", gauge.Rejected(RejectReason.Stuck));
        w.EndObject();
        long interval = gauge.NextSampleAt - gauge.LastSampleAt;
        w.Member("intervalS", interval > 0 ? interval : 0);
        if (gauge.HasLevel) w.Member("maxLevelMm", gauge.MaxLevelMm);
        w.EndObject();
    }

    /// <summary>§6.4. <paramref name="volts"/> below 0 means "not measured" (member omitted).</summary>
    public static void WriteBusStop(JsonWriter w, long ts, long boot, long seq, long contentVersion, bool stale, long refreshedTs, double volts)
    {
        Header(w, Wire.TypeBusStop, ts, boot, seq);
        w.Member("contentVersion", contentVersion);
        w.Member("stale", stale);
        w.Member("refreshedTs", refreshedTs);
        if (volts >= 0) w.MemberNumber("volts", volts);
        w.EndObject();
    }

    /// <summary>The active faults as an array of §7.2 names, in flag order.</summary>
    public static void WriteFaults(JsonWriter w, LampFault faults)
    {
        w.StartArray();
        for (int bit = 1; bit <= (int)LampFault.SupplyLoss; bit <<= 1)
        {
            if (((int)faults & bit) != 0) w.String(Names.LampFaultName((LampFault)bit));
        }
        w.EndArray();
    }

    private static void Header(JsonWriter w, string type, long ts, long boot, long seq)
    {
        w.StartObject();
        w.Member("v", Wire.Version);
        w.Member("type", type);
        w.Member("ts", ts);
        w.Member("boot", boot);
        w.Member("seq", seq);
    }
}
