using System.Text.Json.Nodes;

namespace Edge.Cloud.Tests.Support;

/// <summary>Documents from the docs: a lighting schedule (docs/dimming-profiles.md) and a gauge config.</summary>
public static class Documents
{
    public static JsonObject Schedule(int nightLevel = 50) => new()
    {
        ["schema"] = 1,
        ["profiles"] = new JsonArray(new JsonObject
        {
            ["id"] = "residential",
            ["points"] = new JsonArray(
                new JsonObject { ["at"] = "sunset", ["level"] = 100 },
                new JsonObject { ["at"] = "virtualMidnight", ["level"] = nightLevel },
                new JsonObject { ["at"] = "sunrise", ["level"] = 0 }),
        }),
    };
}
