using System;
using System.Text.Json;
using Edge.Protocol.Messages;

namespace Edge.Cloud.Ingestion.EventHubs;

/// <summary>
/// Reads one Event Hubs event body (docs/uplink.md §4: the record object of §2 with <c>"v": 1</c> and
/// <c>"gateway"</c>) into the gateway id and the record element, or says what is wrong with it.
/// </summary>
public static class EventRecordReader
{
    public sealed record Result(JsonDocument? Document, string? Gateway, string? Error);

    /// <param name="body">The event body.</param>
    /// <param name="partitionKey">The event's partition key; when set it must be the gateway id (§4).</param>
    public static Result Read(ReadOnlyMemory<byte> body, string? partitionKey)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException e)
        {
            return new Result(null, null, $"body is not valid JSON: {e.Message}");
        }
        if (JsonText.FindInvalidText(body.Span) is { } text)
        {
            // Before any GetString: JsonDocument does not check UTF-8 while parsing (RFC 8259 §8.1).
            document.Dispose();
            return new Result(null, null, "body: " + text);
        }
        var root = document.RootElement;
        string? error = null;
        string? gateway = null;
        if (root.ValueKind != JsonValueKind.Object) error = $"body: expected a JSON object, got {JsonFields.Describe(root)}";
        else if ((error = JsonFields.Integer(root, "v", "", long.MinValue, long.MaxValue, true, out var v)) is null && v != 1)
        {
            error = $"v: {v} is not a known schema version (expected 1)";
        }
        if (error is null) error = JsonFields.Text(root, "gateway", "", true, out gateway);
        if (error is null && !string.IsNullOrEmpty(partitionKey) && partitionKey != gateway)
        {
            error = $"gateway: the event names gateway '{gateway}' but its partition key is '{partitionKey}'";
        }
        if (error is null) return new Result(document, gateway, null);
        document.Dispose();
        return new Result(null, gateway, error);
    }
}
