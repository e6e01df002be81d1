using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using CsCheck;
using Edge.Cloud.Storage;
using Edge.Cloud.Tests.Support;
using Edge.Firmware.Tests.Properties;
using Microsoft.Extensions.DependencyInjection;

namespace Edge.Cloud.Tests.Properties;

/// <summary>
/// The ingestion batch endpoint (docs/uplink.md §2) on generated batches, through HTTP as a gateway posts them, so
/// the property holds whatever validates records behind it. Each record is a valid one of some kind, possibly
/// edited so that it must still be accepted (an unknown member, protocol.md §5.2; a level in 0..100) or must be
/// rejected (unknown kind, schema version 2, a bad node id, no payload, a level outside 0..100, a negative
/// receivedAt). For every batch: 200; each record accepted or rejected as expected, a rejection naming its index,
/// seq and the path of the bad member; ackedThrough is the highest seq; exactly the accepted records are stored;
/// and the same batch posted again stores nothing new (every accepted record counts as a duplicate).
/// </summary>
public sealed class BatchEndpointProperties : IClassFixture<GatewayCloud>
{
    private const string Gateway = GatewayCloud.Gateway;

    private readonly GatewayCloud _cloud;

    public BatchEndpointProperties(GatewayCloud cloud) => _cloud = cloud;

    /// <summary>A record template (given its seq) and an edit: null expected error prefix means it must be accepted.</summary>
    public sealed record Planned(int Template, int Edit, int Number)
    {
        public override string ToString() => $"template {Template}, edit {Edit}, number {Number}";
    }

    private static readonly Func<long, JsonObject>[] Templates =
    [
        seq => Records.Streetlight(seq, "sl-0001", 1767304800, level: 60),
        seq => Records.Water(seq, "wl-0003", 1767304805, 742, "watch"),
        seq => Records.LampFault(seq, "sl-0002", 1767304801),
        seq => Records.State(seq, "sl-0001", 1767304802, "online", 43),
        seq => Records.Ack(seq, "sl-0001", 1767304803, "c-1"),
        seq => Records.Rule(seq, 1767304804),
    ];

    /// <summary>Applies edit <paramref name="edit"/>; returns the path prefix the rejection must name, or null when the record stays valid.</summary>
    private static string? Apply(JsonObject record, int edit, int number)
    {
        var payload = record["payload"]!.AsObject();
        switch (edit)
        {
            case 1: payload["unknownMember" + Math.Abs(number % 10)] = number; return null;
            case 2: payload["v"] = 2; return "payload.v";
            case 3: record["kind"] = "bogus"; return "kind";
            case 4 when record["node"] is not null: record["node"] = "SL " + number; return "node";
            case 5: record.Remove("payload"); return "payload";
            case 6 when (string?)record["kind"] == "telemetry" && (string?)payload["type"] == "streetlight":
                payload["level"] = number;
                return number is >= 0 and <= 100 ? null : "payload.level";
            case 7: record["receivedAt"] = -1 - Math.Abs((long)number); return "receivedAt";
            default: return null;
        }
    }

    private static readonly Gen<Planned[]> Batches = Gen.Select(Gen.Int[0, Templates.Length - 1], Gen.Int[0, 8], Gen.Int[-300, 300], (t, e, n) => new Planned(t, e, n)).Array[1, 12];

    [Fact]
    public void Every_batch_is_answered_record_by_record_as_the_contract_says_and_stored_exactly_once()
        => Property.Check(Batches, plan => CheckAsync(plan).GetAwaiter().GetResult(), iterations: 60, print: p => string.Join("; ", p.Select(x => x.ToString())));

    private async Task CheckAsync(Planned[] plan)
    {
        var records = new JsonArray();
        var expected = new List<(long Seq, string? Error)>();
        foreach (var item in plan)
        {
            var seq = _cloud.NextSeq();
            var record = Templates[item.Template](seq);
            expected.Add((seq, Apply(record, item.Edit, item.Number)));
            records.Add(record);
        }
        var body = new JsonObject { ["v"] = 1, ["gateway"] = Gateway, ["sentAt"] = 1767304802, ["records"] = records }.ToJsonString();

        var first = await PostAsync(body);
        var rejected = first.GetProperty("rejected").EnumerateArray().ToDictionary(r => r.GetProperty("index").GetInt32());
        for (var i = 0; i < expected.Count; i++)
        {
            var (seq, error) = expected[i];
            if (error is null)
            {
                Assert.False(rejected.ContainsKey(i), $"record {i} (seq {seq}) was rejected: {(rejected.TryGetValue(i, out var r) ? r.ToString() : "")}");
                continue;
            }
            Assert.True(rejected.TryGetValue(i, out var rejection), $"record {i} (seq {seq}) should be rejected at {error}");
            Assert.Equal(seq, rejection.GetProperty("seq").GetInt64());
            Assert.StartsWith(error, rejection.GetProperty("error").GetString());
        }
        var accepted = expected.Count(e => e.Error is null);
        Assert.Equal(accepted, first.GetProperty("accepted").GetInt32());
        Assert.Equal(expected.Count - accepted, rejected.Count);
        Assert.Equal(expected.Max(e => e.Seq), first.GetProperty("ackedThrough").GetInt64());
        var stored = await StoredSeqsAsync(expected[0].Seq, expected[^1].Seq);
        Assert.Equal(expected.Where(e => e.Error is null).Select(e => e.Seq), stored);

        var again = await PostAsync(body);
        Assert.Equal(0, again.GetProperty("accepted").GetInt32());
        Assert.Equal(accepted, again.GetProperty("duplicates").GetInt32());
        Assert.Equal(stored, await StoredSeqsAsync(expected[0].Seq, expected[^1].Seq));
    }

    private async Task<JsonElement> PostAsync(string body)
    {
        using var response = await _cloud.Server.Client.PostAsync($"/api/v1/gateways/{Gateway}/batches", new StringContent(body, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private async Task<List<long>> StoredSeqsAsync(long from, long to)
    {
        await using var connection = await _cloud.Server.App.Services.GetRequiredService<IStorageConnections>().OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT seq FROM records WHERE gateway = '{Gateway}' AND seq BETWEEN {from} AND {to} ORDER BY seq";
        var seqs = new List<long>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) seqs.Add(reader.GetInt64(0));
        return seqs;
    }
}
