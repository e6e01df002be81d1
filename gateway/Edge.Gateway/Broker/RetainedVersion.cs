using System.Text.Json;

namespace Edge.Gateway.Broker;

/// <summary>The integer <c>version</c> of a config or display document (protocol.md §9.1, §11.1, the rule of §16.3).</summary>
public static class RetainedVersion
{
    public static long? Read(byte[] payload)
    {
        try
        {
            using var document = JsonDocument.Parse(payload);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("version", out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var version) ? version : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
