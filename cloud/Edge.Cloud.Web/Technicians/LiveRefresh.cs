using System;
using System.Threading;

namespace Edge.Cloud.Web.Technicians;

/// <summary>
/// The cadence of the live alarm list: it reads the alarms again on every tick, so a new one shows within a tick
/// without reloading. A UI timer on the wall clock (<see cref="TimeProvider.System"/>), not on the app's domain clock
/// (tests replace that with a manual one that never ticks by itself); component tests give it a clock they move.
/// </summary>
public sealed class LiveRefresh(TimeProvider ticks)
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    public PeriodicTimer NewTimer() => new(Interval, ticks);
}
