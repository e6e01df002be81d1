using System;
using System.IO;

namespace Edge.Sim.Demo;

/// <summary>The documents the demo seeds: gauge and bus-stop settings and the lighting profile (bus-stop departures come
/// from the demo agency's feeds through the cloud's transit pipeline).</summary>
public static class DemoDocuments
{
    /// <summary>Mounting height of every demo gauge: the virtual sensor and its config must agree.</summary>
    public const int GaugeMountMm = 3000;

    /// <summary>
    /// A stream gauge (docs/water-gauge.md) tuned for a demo: the example's thresholds (watch 500, warning 800,
    /// alarm 1100 mm) with short dwells and a calm sampling interval of one minute, so a storm shows within minutes.
    /// </summary>
    public static string GaugeConfig() => $$"""
        {
          "mode": "stream", "mountingHeightMm": {{GaugeMountMm}}, "datumOffsetMm": 0,
          "sensor": { "minRangeMm": 300, "maxRangeMm": 5000, "noEchoMm": 5000, "burstSize": 5, "stuckWindowS": 1800, "absentAfterSamples": 3 },
          "spike": { "maxRateMmPerMin": 600, "confirmSamples": 1 },
          "thresholds": {
            "watch": { "level": 500, "hysteresisMm": 50, "dwellS": 300 },
            "warning": { "level": 800, "hysteresisMm": 50, "dwellS": 300 },
            "alarm": { "level": 1100, "hysteresisMm": 50, "dwellS": 300 }
          },
          "rateOfRise": { "riseMm": 200, "windowS": 600, "clearMm": 100 },
          "sampling": { "calmIntervalS": 60, "fastIntervalS": 15, "risingMm": 30 },
          "battery": { "capacityMah": 19000, "emptyMv": 3000, "fullMv": 3600, "activeCurrentMa": 40, "activeMsPerSample": 3000, "sleepCurrentUa": 60 }
        }
        """;

    /// <summary>Bus-stop panel settings (protocol.md §9.7).</summary>
    public const string BusStopConfig = """{"panel":"epd-7in5","rotation":0,"staleAfterS":300,"fullRefreshS":3600}""";

    /// <summary>The lighting profile document of docs/examples (embedded at build).</summary>
    public static byte[] Profile()
    {
        using Stream stream = typeof(DemoDocuments).Assembly.GetManifestResourceStream("igoumenitsa-residential.json")
            ?? throw new InvalidOperationException("embedded igoumenitsa-residential.json is missing");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
