using System;
using System.Collections.Generic;
using System.Text.Json.Nodes;
using Edge.Cloud.Commissioning;

namespace Edge.Cloud.Web.Installers;

/// <summary>One button of the phone page's self-test: a command of <see cref="CommissioningService.SelfTestKinds"/>.</summary>
public sealed record SelfTestStep(string Key, string Kind, Func<JsonObject> Args)
{
    public SelfTestRequest ToRequest() => new(Kind, Args());
}

/// <summary>
/// The self-test of each node type, as the installer runs it on the pole (docs/provisioning.md §Commissioning): a street
/// light blinks, goes to 100 % and to 0 % for two minutes (the installer sees the lamp and the page shows the measured
/// power as the node reports it) and back to its schedule; a gauge samples now; a bus stop blinks and redraws its sign.
/// </summary>
public static class SelfTestSteps
{
    /// <summary>How long a self-test override lasts: long enough to look up at the lamp, well under
    /// <see cref="CommissioningService.MaxOverrideS"/>.
    /// (A long: the service reads <c>durationS</c> as one, and a JsonValue made from an int does not convert.)</summary>
    public const long OverrideS = 120;

    private static readonly SelfTestStep Identify = new("identify", "identify", () => new JsonObject { ["durationS"] = 10L });

    private static readonly Dictionary<string, SelfTestStep[]> ByType = new()
    {
        ["streetlight"] = new[]
        {
            Identify,
            new SelfTestStep("lamp-100", "override", () => new JsonObject { ["level"] = 100, ["durationS"] = OverrideS }),
            new SelfTestStep("lamp-0", "override", () => new JsonObject { ["level"] = 0, ["durationS"] = OverrideS }),
            new SelfTestStep("schedule", "override.clear", () => new JsonObject()),
        },
        ["waterlevel"] = new[] { Identify, new SelfTestStep("sample-now", "sample-now", () => new JsonObject()) },
        ["busstop"] = new[] { Identify, new SelfTestStep("display-refresh", "display.refresh", () => new JsonObject()) },
    };

    public static IReadOnlyList<SelfTestStep> For(string type) => ByType.TryGetValue(type, out var steps) ? steps : new[] { Identify };

    public static SelfTestStep? Find(string type, string? key) => Array.Find((SelfTestStep[])For(type), s => s.Key == key);
}
