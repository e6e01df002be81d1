using System;
using Edge.Firmware.Runtime;
using nanoFramework.Networking;

namespace Edge.Firmware.Esp32.Drivers;

/// <summary>
/// <see cref="ISntpClient"/> on nanoFramework's SNTP client. That client sets the RTC itself and gives no success
/// signal, so a query points it at the server, asks for an update and waits up to 2 s (protocol §12.1) for the
/// clock to step (<see cref="ClockStepWatch"/>): only an observed step counts as an answer. An RTC already within
/// a second of the server's time therefore reads as no answer; the runtime then retries, and after 12 h without
/// a confirmed sync reports <c>timeSource</c> <c>rtc</c> and takes the gateway's time (§12.2). Before, a clock that
/// merely held a plausible date counted as synced at once, so a node whose SNTP server was unreachable reported
/// <c>sntp</c> and never fell back.
/// </summary>
public sealed class NanoSntpClient : ISntpClient
{
    private const int WaitMs = 2000;
    private const int PollMs = 100;

    private readonly ClockStepWatch _watch = new ClockStepWatch();

    public bool TryQuery(string server, out long utcSeconds, out int milliseconds)
    {
        milliseconds = 0;
        long startMs = Environment.TickCount64;
        _watch.Begin(WallMs(), startMs);
        Sntp.Server1 = server;
        if (!Sntp.IsStarted) Sntp.Start();
        Sntp.UpdateNow();
        bool stepped = false;
        while (!stepped && Environment.TickCount64 - startMs < WaitMs)
        {
            System.Threading.Thread.Sleep(PollMs);
            stepped = _watch.Stepped(WallMs(), Environment.TickCount64);
        }
        utcSeconds = SntpTime.UnixSeconds();
        return stepped && SntpTime.IsSet();
    }

    private static long WallMs()
    {
        return DateTime.UtcNow.Ticks / TimeSpan.TicksPerMillisecond;
    }
}
