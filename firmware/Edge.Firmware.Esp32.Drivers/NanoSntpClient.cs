using System;
using Edge.Firmware.Runtime;
using nanoFramework.Networking;

namespace Edge.Firmware.Esp32.Drivers;

/// <summary>
/// <see cref="ISntpClient"/> on nanoFramework's SNTP client. That client sets the RTC itself and reports no
/// answer, so a query points it at the server, asks for an update and waits up to 2 s (protocol §12.1) for a
/// plausible clock. Limitation: once the RTC has been set, a silent server cannot be told apart from one that
/// confirmed the time, so the query then counts as answered; the gateway-time fallback (§12.2) therefore only
/// applies while the RTC has never been set since power-on.
/// </summary>
public sealed class NanoSntpClient : ISntpClient
{
    private const int WaitMs = 2000;
    private const int PollMs = 100;

    public bool TryQuery(string server, out long utcSeconds, out int milliseconds)
    {
        milliseconds = 0;
        long startMs = Environment.TickCount64;
        Sntp.Server1 = server;
        if (!Sntp.IsStarted) Sntp.Start();
        Sntp.UpdateNow();
        while (!SntpTime.IsSet() && Environment.TickCount64 - startMs < WaitMs) System.Threading.Thread.Sleep(PollMs);
        utcSeconds = SntpTime.UnixSeconds();
        return SntpTime.IsSet();
    }
}
