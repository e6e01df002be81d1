using Edge.Firmware.Hydro;
using Edge.Firmware.Lighting;

namespace Edge.Firmware.Protocol;

/// <summary>The wire names of enum values (docs/protocol.md §6–§8). Constant strings: looking one up allocates nothing.</summary>
public static class Names
{
    public static string LampFaultName(LampFault fault)
    {
        switch (fault)
        {
            case LampFault.LampFailure: return "lamp-failure";
            case LampFault.DayBurner: return "day-burner";
            case LampFault.Cycling: return "cycling";
            case LampFault.DimmingFailure: return "dimming-failure";
            case LampFault.SupplyLoss: return "supply-loss";
            default: return "unknown";
        }
    }

    public static string FloodStateName(FloodState state)
    {
        switch (state)
        {
            case FloodState.Watch: return "watch";
            case FloodState.Warning: return "warning";
            case FloodState.Alarm: return "alarm";
            default: return "normal";
        }
    }

    public static string SensorHealthName(SensorHealth health)
    {
        switch (health)
        {
            case SensorHealth.Stuck: return "stuck";
            case SensorHealth.Absent: return "absent";
            default: return "ok";
        }
    }

    public static string FloodCauseName(StateChangeReason reason)
    {
        return reason == StateChangeReason.LevelReachedThreshold ? "level" : "release";
    }
}
