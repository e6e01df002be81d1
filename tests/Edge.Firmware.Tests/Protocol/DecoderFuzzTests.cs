using System;
using System.Collections.Generic;
using System.Text;
using Edge.Firmware.Protocol;

namespace Edge.Firmware.Tests.Protocol;

/// <summary>
/// Random bytes, truncations and mutations of valid messages fed to every inbound decoder: each either
/// accepts or throws a <see cref="JsonFormatException"/> (never anything else), finishes (bounded work),
/// and allocates within a fixed bound per message.
/// </summary>
public class DecoderFuzzTests
{
    private static readonly string Water = Hydro.GaugeConfigs.Stream;

    private static readonly string[] Valid =
    {
        "{\"v\":1,\"id\":\"c-20260102-000381\",\"kind\":\"override\",\"args\":{\"level\":100,\"until\":1767312000,\"reason\":\"flood warning zone 3\"},\"issued\":1767305402,\"expires\":1767305702}",
        "{\"v\":1,\"ts\":1767220006,\"ms\":412,\"source\":\"ntp\"}",
        "{\"v\":1,\"version\":43,\"type\":\"streetlight\",\"issued\":1767200000,\"node\":{\"telemetryS\":300,\"tz\":\"EET-2EEST,M3.5.0/3,M10.5.0/4\",\"lat\":37.8906,\"lon\":23.7320,\"ntp\":[\"10.20.0.1\"]},\"lighting\":" + Runtime.NodeRuntimeTests.Schedule + "}",
        "{\"v\":1,\"version\":7,\"type\":\"waterlevel\",\"node\":{},\"water\":" + Water + "}",
        "{\"v\":1,\"version\":12,\"type\":\"busstop\",\"node\":{\"tz\":\"EET-2EEST,M3.5.0/3,M10.5.0/4\"},\"busstop\":{\"panel\":\"epd-7in5\",\"rotation\":0,\"staleAfterS\":300,\"fullRefreshS\":3600,\"quietHours\":{\"from\":\"01:00\",\"to\":\"05:00\"}}}",
        "{\"v\":1,\"version\":1042,\"generated\":1767304770,\"content\":" + Encoding.UTF8.GetString(Transit.TransitSamples.Bytes("live.json")) + ",\"timetable\":" + Encoding.UTF8.GetString(Transit.TransitSamples.Bytes("timetable.json")) + "}",
    };

    private sealed class Decoders
    {
        private readonly CommandDecoder _cmd = new();
        private readonly CommandMessage _command = new();
        private readonly TimeDecoder _time = new();
        private readonly TimeMessage _timeMessage = new();
        private readonly ConfigDecoder _config = new();
        private readonly DisplayDecoder _display = new();

        public void All(byte[] b, int n)
        {
            Try(() => { _cmd.Decode(b, 0, n, _command); _cmd.ReadArgs(_command); });
            Try(() => _time.Decode(b, 0, n, _timeMessage));
            Try(() => _config.Decode(b, 0, n, "streetlight"));
            Try(() => _config.Decode(b, 0, n, "waterlevel"));
            Try(() => _config.Decode(b, 0, n, "busstop"));
            Try(() => _display.Decode(b, 0, n));
        }

        private static void Try(Action decode)
        {
            try { decode(); }
            catch (JsonFormatException) { }
        }
    }

    private static IEnumerable<byte[]> Inputs(Random rng)
    {
        var valid = Array.ConvertAll(Valid, Encoding.UTF8.GetBytes);
        const string alphabet = "{}[]:,\"\\0123456789.eE+-truefalsnl \t\nuvidkx";
        for (int i = 0; i < 1500; i++)
        {
            var b = new byte[rng.Next(0, 300)];
            if (i % 2 == 0) rng.NextBytes(b);
            else for (int k = 0; k < b.Length; k++) b[k] = (byte)alphabet[rng.Next(alphabet.Length)];
            yield return b;
        }
        foreach (var v in valid)
        {
            for (int cut = 0; cut < v.Length; cut += 1 + v.Length / 300) yield return v[..cut];
            for (int i = 0; i < 400; i++)
            {
                var m = (byte[])v.Clone();
                int edits = rng.Next(1, 4);
                for (int e = 0; e < edits; e++)
                {
                    int at = rng.Next(m.Length);
                    switch (rng.Next(3))
                    {
                        case 0: m[at] = (byte)rng.Next(256); break;
                        case 1: m[at] = (byte)alphabet[rng.Next(alphabet.Length)]; break;
                        default: m = m[..at].AsSpan().ToArray(); break;
                    }
                    if (m.Length == 0) break;
                }
                yield return m;
            }
        }
    }

    [Fact]
    public void Valid_samples_decode()
    {
        var b = Array.ConvertAll(Valid, Encoding.UTF8.GetBytes);
        var cmd = new CommandMessage();
        new CommandDecoder().Decode(b[0], 0, b[0].Length, cmd);
        Assert.Equal("", cmd.Problem);
        new TimeDecoder().Decode(b[1], 0, b[1].Length, new TimeMessage());
        Assert.NotNull(new ConfigDecoder().Decode(b[2], 0, b[2].Length, "streetlight").Lighting);
        Assert.NotNull(new ConfigDecoder().Decode(b[3], 0, b[3].Length, "waterlevel").Water);
        Assert.NotNull(new ConfigDecoder().Decode(b[4], 0, b[4].Length, "busstop").BusStop);
        Assert.NotNull(new DisplayDecoder().Decode(b[5], 0, b[5].Length).Timetable);
    }

    [Fact]
    public void Random_truncated_and_mutated_messages_only_ever_raise_format_errors_within_a_fixed_allocation()
    {
        var rng = new Random(424242);
        var decoders = new Decoders();
        long worst = 0;
        int count = 0;
        foreach (var input in Inputs(rng))
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            decoders.All(input, input.Length);   // anything but JsonFormatException fails the test here
            long used = GC.GetAllocatedBytesForCurrentThread() - before;
            if (used > worst) worst = used;
            count++;
        }
        Assert.True(count > 5000);
        // Six decoders per input; the valid samples (whole schedules, gauge configs, timetables) need
        // about 30 KB together. The bound is fixed whatever the input: a runaway would blow it.
        Assert.InRange(worst, 1, 256 * 1024);
    }

    [Fact]
    public void Oversize_documents_are_refused_before_parsing()
    {
        var big = new byte[Wire.MaxDocumentBytes + 1];
        var e = Assert.Throws<MessageFormatException>(() => new ConfigDecoder().Decode(big, 0, big.Length, "streetlight"));
        Assert.Equal("too-large", e.Code);
        Assert.Equal("too-large", Assert.Throws<MessageFormatException>(() => new DisplayDecoder().Decode(big, 0, big.Length)).Code);
        Assert.Equal("too-large", Assert.Throws<MessageFormatException>(() => new CommandDecoder().Decode(big, 0, 2000, new CommandMessage())).Code);
        long before = GC.GetAllocatedBytesForCurrentThread();
        try { new ConfigDecoder().Decode(big, 0, big.Length, "streetlight"); } catch (MessageFormatException) { }
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 8192);
    }
}
