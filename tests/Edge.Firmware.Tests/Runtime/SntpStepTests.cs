using Edge.Firmware.Protocol;
using Edge.Firmware.Runtime;

namespace Edge.Firmware.Tests.Runtime;

/// <summary>
/// nanoFramework's SNTP client sets the clock itself and reports nothing: an answer is only what the clock is seen
/// to do (<see cref="ClockStepWatch"/>, used by the ESP32 driver NanoSntpClient).
/// </summary>
public class SntpStepTests
{
    /// <summary>
    /// The driver's query over a clock that the "server" may step: Begin, UpdateNow (the server steps the clock, or
    /// stays silent), then up to 2 s of 100 ms polls for a step.
    /// </summary>
    private sealed class SelfSettingSntp(FakeClock clock) : ISntpClient
    {
        private readonly ClockStepWatch _watch = new();
        public long? ServerTime; // null: the server does not answer
        public int Queries;

        public bool TryQuery(string server, out long utcSeconds, out int milliseconds)
        {
            Queries++;
            milliseconds = 0;
            _watch.Begin(clock.UtcSeconds * 1000, clock.MonotonicMs);
            bool stepped = false;
            for (int waited = 0; !stepped && waited < 2000; waited += 100)
            {
                clock.Advance(100);
                if (ServerTime is long t && waited == 300) clock.SetUtc(t + clock.MonotonicMs / 1000, 0); // the answer lands 300 ms in
                stepped = _watch.Stepped(clock.UtcSeconds * 1000, clock.MonotonicMs);
            }
            utcSeconds = clock.UtcSeconds;
            return stepped;
        }
    }

    [Fact]
    public void A_step_either_way_is_an_answer_and_a_clock_that_only_runs_on_is_not()
    {
        var watch = new ClockStepWatch();
        watch.Begin(1_767_225_600_000, 5_000);
        Assert.False(watch.Stepped(1_767_225_601_900, 6_900)); // ran on with the counter
        Assert.False(watch.Stepped(1_767_225_601_950, 7_000)); // 50 ms of drift corrected: not observable
        Assert.True(watch.Stepped(1_767_225_603_000, 7_000));  // stepped 1 s forward
        Assert.True(watch.Stepped(1_767_225_600_900, 7_000));  // stepped back
        watch.Begin(0, 1_000);                                   // power-on RTC at 1970
        Assert.True(watch.Stepped(1_767_225_600_000, 1_400));
    }

    [Fact]
    public void A_silent_server_with_a_plausible_clock_is_no_sync_so_the_gateway_time_is_taken_after_12_hours()
    {
        // The RTC ran on through a software reset: a plausible date, but no server has confirmed it.
        var clock = new FakeClock { Utc = 1_767_225_600, IsSet = true };
        var sntp = new SelfSettingSntp(clock);
        var time = new TimeSync(clock, sntp);

        time.Tick(clock.MonotonicMs, networkUp: true);
        Assert.Equal(1, sntp.Queries);
        Assert.Equal("rtc", time.Source); // not "sntp": nothing answered
        Assert.Equal(0, time.LastSyncTs);

        clock.Advance(TimeSync.GatewayFallbackMs);
        bool used = time.OnGatewayTime(new TimeMessage { Ts = clock.UtcSeconds + 30, Source = TimeSource.Ntp }, clock.MonotonicMs);
        Assert.True(used);
        Assert.Equal("gateway", time.Source);

        sntp.ServerTime = clock.UtcSeconds + 5; // the server comes back and corrects the clock by 5 s
        clock.Advance(TimeSync.SntpRetryMs);
        time.Tick(clock.MonotonicMs, networkUp: true);
        Assert.Equal("sntp", time.Source);
    }

    [Fact]
    public void The_first_sync_after_power_on_is_seen_as_the_jump_from_1970()
    {
        var clock = new FakeClock { Utc = 0, IsSet = false };
        var sntp = new SelfSettingSntp(clock) { ServerTime = 1_767_225_600 };
        var time = new TimeSync(clock, sntp);
        Assert.Equal("none", time.Source);

        time.Tick(clock.MonotonicMs, networkUp: true);
        Assert.Equal("sntp", time.Source);
        Assert.True(time.ClockSet);
        Assert.InRange(time.LastSyncTs, 1_767_225_600, 1_767_225_602);
    }
}
