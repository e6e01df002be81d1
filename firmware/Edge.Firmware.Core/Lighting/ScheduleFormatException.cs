using Edge.Firmware.Protocol;

namespace Edge.Firmware.Lighting;

/// <summary>
/// A lighting schedule document was rejected. <see cref="Errors"/> lists every problem found, each
/// naming where it is (e.g. <c>profiles[1].points[0].level: 140 is out of range 0..100</c>).
/// </summary>
public sealed class ScheduleFormatException : DocumentRejectedException
{
    public ScheduleFormatException(string[] errors) : base(Join(errors), errors)
    {
    }

    private static string Join(string[] errors)
    {
        string message = errors.Length == 1 ? "invalid lighting schedule: " : "invalid lighting schedule (" + errors.Length.ToString() + " problems): ";
        for (int i = 0; i < errors.Length; i++)
        {
            message += (i == 0 ? "" : "; ") + errors[i];
        }
        return message;
    }
}
