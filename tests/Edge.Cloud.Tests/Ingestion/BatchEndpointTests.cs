using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Edge.Cloud.Inventory;
using Edge.Cloud.Storage;
using Edge.Cloud.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Edge.Cloud.Tests.Ingestion;

/// <summary>docs/uplink.md §1–§2 over real HTTP against the running app, on SQLite and on PostgreSQL
/// (<see cref="BatchEndpointOnSqliteTests"/>, <see cref="BatchEndpointOnPostgresTests"/>).</summary>
public abstract class BatchEndpointTests(StorageKind storage) : IAsyncLifetime
{
    private const string Gateway = "gw-igoumenitsa-1";
    private const string Token = "token-of-gw-igoumenitsa-1-at-least-32-chars";
    private const string OtherGateway = "gw-preveza-1";
    private const string OtherToken = "token-of-gw-preveza-1-also-32-characters-long";
    private CloudServer _server = null!;
    private TestPostgres? _postgres;

    public async Task InitializeAsync()
    {
        _postgres = storage == StorageKind.Postgres ? await TestPostgres.CreateAsync() : null;
        _server = await CloudServer.StartAsync(new Dictionary<string, string?>
        {
            ["Storage:Provider"] = storage.ToString(),
            ["Storage:PostgresConnectionString"] = _postgres?.ConnectionString,
            ["Gateways:Seed:0:Id"] = Gateway,
            ["Gateways:Seed:0:Token"] = Token,
            ["Gateways:Seed:1:Id"] = OtherGateway,
            ["Gateways:Seed:1:Token"] = OtherToken,
            ["Ingestion:MaxRecordsPerBatch"] = "50",
            ["Ingestion:MaxBatchBytes"] = "65536",
        });
        // Records are accepted only for nodes the inventory assigns to the posting gateway (uplink.md §2 rule 7).
        var inventory = _server.App.Services.GetRequiredService<InventoryService>();
        await inventory.PutSiteAsync("installer", Records.Site, new SiteRequest("Igoumenitsa", null));
        foreach (var (node, type) in new[] { ("sl-0001", "streetlight"), ("sl-0002", "streetlight"), ("sl-0003", "streetlight"), ("sl-0004", "streetlight"), ("wl-0003", "waterlevel") })
        {
            await inventory.PutNodeAsync("installer", node, new NodeRequest(Records.Site, type, Gateway, null, null, null, null, null, null, null, null, null));
        }
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        if (_postgres is not null) await _postgres.DisposeAsync();
    }

    private static JsonObject GoodBatch() => Records.Batch(Gateway,
        Records.Streetlight(10231, "sl-0001", 1767304800, level: 60),
        Records.LampFault(10232, "sl-0002", 1767304801),
        Records.Rule(10233, 1767304801));

    private Task<HttpResponseMessage> PostAsync(string body, string? token = Token, string gateway = Gateway, bool gzip = false, string? encoding = null)
        => PostBytesAsync(Encoding.UTF8.GetBytes(body), token, gateway, gzip, encoding);

    private async Task<HttpResponseMessage> PostBytesAsync(byte[] bytes, string? token = Token, string gateway = Gateway, bool gzip = false, string? encoding = null)
    {
        if (gzip)
        {
            using var compressed = new MemoryStream();
            using (var zip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true)) zip.Write(bytes);
            bytes = compressed.ToArray();
        }
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        if (gzip || encoding is not null) content.Headers.ContentEncoding.Add(encoding ?? "gzip");
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/gateways/{gateway}/batches") { Content = content };
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await _server.Client.SendAsync(request);
    }

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    private static async Task<string> ProblemDetailAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await JsonAsync(response);
        Assert.Equal((int)expected, problem.GetProperty("status").GetInt32());
        return problem.GetProperty("detail").GetString()!;
    }

    private async Task<long> CountAsync(string sql)
    {
        await using var connection = await _server.App.Services.GetRequiredService<IStorageConnections>().OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task A_good_batch_is_accepted_and_acked_through_its_last_seq()
    {
        var response = await PostAsync(GoodBatch().ToJsonString());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await JsonAsync(response);
        Assert.Equal(1, body.GetProperty("v").GetInt32());
        Assert.Equal(3, body.GetProperty("accepted").GetInt32());
        Assert.Equal(0, body.GetProperty("duplicates").GetInt32());
        Assert.Equal(0, body.GetProperty("rejected").GetArrayLength());
        Assert.Equal(10233, body.GetProperty("ackedThrough").GetInt64());
        Assert.Equal(3, await CountAsync("SELECT COUNT(*) FROM records WHERE gateway = 'gw-igoumenitsa-1'"));
    }

    [Fact]
    public async Task A_retried_batch_is_counted_as_duplicates_and_stored_once()
    {
        await PostAsync(GoodBatch().ToJsonString());
        var retry = await JsonAsync(await PostAsync(GoodBatch().ToJsonString(), gzip: true));

        Assert.Equal(0, retry.GetProperty("accepted").GetInt32());
        Assert.Equal(3, retry.GetProperty("duplicates").GetInt32());
        Assert.Equal(10233, retry.GetProperty("ackedThrough").GetInt64());
        Assert.Equal(3, await CountAsync("SELECT COUNT(*) FROM records"));
        Assert.Equal(1, await CountAsync("SELECT COUNT(*) FROM telemetry"));
        Assert.Equal(2, await CountAsync("SELECT COUNT(*) FROM events"));
    }

    [Fact]
    public async Task Bad_records_are_rejected_with_their_path_while_the_good_ones_are_kept()
    {
        var badLevel = Records.Streetlight(5, "sl-0001", 1767304800, level: 60);
        badLevel["payload"]!["level"] = 140;
        var missingRule = Records.Rule(6, 1767304801);
        ((JsonObject)missingRule["payload"]!).Remove("rule");
        var badNode = Records.LampFault(7, "SL 7", 1767304802);
        var noSeq = Records.Streetlight(0, "sl-0003", 1767304803, level: 10);
        noSeq.Remove("seq");
        var wrongVersion = Records.Streetlight(9, "sl-0004", 1767304804, level: 10);
        wrongVersion["payload"]!["v"] = 2;
        var batch = Records.Batch(Gateway, Records.Streetlight(4, "sl-0001", 1767304799, level: 30), badLevel, missingRule, badNode, noSeq,
            wrongVersion, Records.Water(10, "wl-0003", 1767304805, 742, "watch"));

        var body = await JsonAsync(await PostAsync(batch.ToJsonString()));

        Assert.Equal(2, body.GetProperty("accepted").GetInt32());
        var rejected = body.GetProperty("rejected").EnumerateArray()
            .Select(r => (r.GetProperty("seq").ValueKind == JsonValueKind.Null ? (long?)null : r.GetProperty("seq").GetInt64(),
                          r.GetProperty("index").GetInt32(), r.GetProperty("error").GetString()))
            .ToList();
        Assert.Equal(
        [
            (5L, 1, "payload.level: 140 is out of range 0..100"),
            (6L, 2, "payload.rule: required"),
            (7L, 3, "node: \"SL 7\" does not match ^[a-z0-9][a-z0-9-]{0,31}$"),
            (null, 4, "seq: required"),
            (9L, 5, "payload.v: 2 is not a known schema version (expected 1)"),
        ], rejected);
        Assert.Equal(10, body.GetProperty("ackedThrough").GetInt64());
        Assert.Equal(2, await CountAsync("SELECT COUNT(*) FROM records"));
        Assert.Equal(0, await CountAsync("SELECT COUNT(*) FROM records WHERE seq IN (5, 6, 7, 9)"));
    }

    [Fact]
    public async Task A_node_payload_over_the_4096_bytes_of_protocol_13_is_rejected_naming_its_size_and_one_of_exactly_4096_is_stored()
    {
        // Payloads padded by an unknown member (ignored, protocol.md §5.2) to 4096 and 4097 bytes of JSON as sent.
        JsonObject Padded(long seq, int bytes)
        {
            var record = Records.Streetlight(seq, "sl-0001", 1767304800 + seq, level: 50);
            var payload = (JsonObject)record["payload"]!;
            payload["note"] = "";
            payload["note"] = new string('x', bytes - Encoding.UTF8.GetByteCount(payload.ToJsonString()));
            Assert.Equal(bytes, Encoding.UTF8.GetByteCount(payload.ToJsonString()));
            return record;
        }

        var body = await JsonAsync(await PostAsync(Records.Batch(Gateway, Padded(30, 4096), Padded(31, 4097)).ToJsonString()));

        Assert.Equal(1, body.GetProperty("accepted").GetInt32());
        var rejected = Assert.Single(body.GetProperty("rejected").EnumerateArray());
        Assert.Equal((31L, "payload: 4097 bytes exceeds the 4096-byte limit of protocol.md §13"), (rejected.GetProperty("seq").GetInt64(), rejected.GetProperty("error").GetString()));
        Assert.Equal(1, await CountAsync("SELECT COUNT(*) FROM records WHERE seq = 30"));
    }

    [Theory]
    [InlineData(new byte[] { 0xFF })]
    [InlineData(new byte[] { 0xC0, 0x80 })]
    [InlineData(new byte[] { 0xED, 0xA0, 0x80 })] // U+D800, a surrogate, encoded in UTF-8
    public async Task A_record_with_invalid_utf8_is_rejected_on_its_own_and_the_rest_is_stored(byte[] poison)
    {
        // Raw bytes inside a JSON string of one record's payload, as a gateway that let them through would send them.
        const string Marker = "POISON";
        var bad = Records.Streetlight(11, "sl-0002", 1767304801, level: 40);
        bad["payload"]!["source"] = Marker;
        var batch = Records.Batch(Gateway, Records.Streetlight(10, "sl-0001", 1767304800, level: 60), bad,
            Records.LampFault(12, "sl-0003", 1767304802)).ToJsonString();
        var at = batch.IndexOf(Marker, StringComparison.Ordinal);
        byte[] body = [.. Encoding.UTF8.GetBytes(batch[..at]), .. poison, .. Encoding.UTF8.GetBytes(batch[(at + Marker.Length)..])];

        var response = await PostBytesAsync(body, gzip: true);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = await JsonAsync(response);
        Assert.Equal(2, answer.GetProperty("accepted").GetInt32());
        var rejected = Assert.Single(answer.GetProperty("rejected").EnumerateArray());
        Assert.Equal(11, rejected.GetProperty("seq").GetInt64());
        Assert.Equal(1, rejected.GetProperty("index").GetInt32());
        Assert.Contains("invalid UTF-8", rejected.GetProperty("error").GetString());
        Assert.Equal(12, answer.GetProperty("ackedThrough").GetInt64());
        Assert.Equal(2, await CountAsync("SELECT COUNT(*) FROM records WHERE seq IN (10, 12)"));
        Assert.Equal(0, await CountAsync("SELECT COUNT(*) FROM records WHERE seq = 11"));
    }

    [Theory]
    [InlineData("{\"v\":1,\"gateway\":\"gw-igoumenitsa-1\",\"records\":[", "body is not valid JSON")]
    [InlineData("[1,2,3]", "body: expected a JSON object, got an array")]
    [InlineData("{\"v\":2,\"gateway\":\"gw-igoumenitsa-1\",\"records\":[]}", "v: 2 is not a known schema version (expected 1)")]
    [InlineData("{\"gateway\":\"gw-igoumenitsa-1\",\"records\":[]}", "v: required")]
    [InlineData("{\"v\":1,\"gateway\":\"gw-igoumenitsa-1\"}", "records: required")]
    [InlineData("{\"v\":1,\"gateway\":\"gw-igoumenitsa-1\",\"records\":{}}", "records: expected an array, got an object")]
    [InlineData("{\"v\":1,\"records\":[]}", "gateway: required")]
    public async Task A_malformed_batch_is_refused_as_a_whole(string body, string expected)
    {
        var detail = await ProblemDetailAsync(await PostAsync(body), HttpStatusCode.BadRequest);
        Assert.StartsWith(expected, detail);
        Assert.Equal(0, await CountAsync("SELECT COUNT(*) FROM records"));
    }

    [Fact]
    public async Task A_gzip_body_is_decompressed_and_a_broken_one_refused()
    {
        var ok = await JsonAsync(await PostAsync(GoodBatch().ToJsonString(), gzip: true));
        Assert.Equal(3, ok.GetProperty("accepted").GetInt32());

        var detail = await ProblemDetailAsync(await PostAsync("this is not gzip", encoding: "gzip"), HttpStatusCode.BadRequest);
        Assert.StartsWith("body: Content-Encoding is gzip but the body is not valid gzip", detail);
        var unsupported = await ProblemDetailAsync(await PostAsync(GoodBatch().ToJsonString(), encoding: "br"), HttpStatusCode.UnsupportedMediaType);
        Assert.Equal("Content-Encoding 'br' is not supported; send gzip or no encoding", unsupported);
    }

    [Fact]
    public async Task A_missing_or_wrong_token_is_401_with_a_bearer_challenge()
    {
        var missing = await PostAsync(GoodBatch().ToJsonString(), token: null);
        Assert.Equal("missing Authorization header; send 'Authorization: Bearer <gateway token>'", await ProblemDetailAsync(missing, HttpStatusCode.Unauthorized));
        Assert.Equal("Bearer", missing.Headers.WwwAuthenticate.Single().Scheme);

        var wrong = await PostAsync(GoodBatch().ToJsonString(), token: Token + "x");
        Assert.Equal("the bearer token is not valid for any gateway", await ProblemDetailAsync(wrong, HttpStatusCode.Unauthorized));
        Assert.Equal(0, await CountAsync("SELECT COUNT(*) FROM records"));
    }

    [Fact]
    public async Task Another_gateways_token_or_body_is_403()
    {
        var otherToken = await PostAsync(GoodBatch().ToJsonString(), token: OtherToken);
        Assert.Equal($"the bearer token belongs to gateway '{OtherGateway}', not '{Gateway}'", await ProblemDetailAsync(otherToken, HttpStatusCode.Forbidden));

        var otherBody = Records.Batch(OtherGateway, Records.Streetlight(1, "sl-0001", 1767304800, 60));
        var bodyMismatch = await PostAsync(otherBody.ToJsonString());
        Assert.Equal($"gateway: the body names gateway '{OtherGateway}' but the request is for '{Gateway}'", await ProblemDetailAsync(bodyMismatch, HttpStatusCode.Forbidden));
        Assert.Equal(0, await CountAsync("SELECT COUNT(*) FROM records"));
    }

    [Fact]
    public async Task Too_many_records_or_bytes_is_413()
    {
        var many = Records.Batch(Gateway, Enumerable.Range(1, 51).Select(i => Records.Streetlight(i, "sl-0001", 1767304800 + i, 50)).ToArray());
        Assert.Equal("records: 51 records exceed the limit of 50 per batch; send fewer",
            await ProblemDetailAsync(await PostAsync(many.ToJsonString()), HttpStatusCode.RequestEntityTooLarge));

        // Under the record limit but over 64 KiB uncompressed — and far less compressed: the limit is on the
        // uncompressed size.
        var padded = Records.Streetlight(1, "sl-0001", 1767304800, 50);
        padded["payload"]!["pad"] = new string('x', 70_000);
        var big = Records.Batch(Gateway, padded).ToJsonString();
        var detail = await ProblemDetailAsync(await PostAsync(big, gzip: true), HttpStatusCode.RequestEntityTooLarge);
        Assert.StartsWith("body: more than 65536 bytes uncompressed", detail);
        Assert.Equal(0, await CountAsync("SELECT COUNT(*) FROM records"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_body_of_exactly_the_byte_limit_is_stored_and_one_byte_more_refused(bool gzip)
    {
        // The body is read into a pooled buffer grown by doubling up to one byte over the limit: the edge is exact either
        // way (plain bodies start from their Content-Length, gzip ones from a first buffer of the limit's size here).
        string Padded(int bytes)
        {
            var batch = GoodBatch();
            batch["pad"] = ""; // an unknown envelope member, ignored (protocol.md §5.2)
            var padding = bytes - Encoding.UTF8.GetByteCount(batch.ToJsonString());
            batch["pad"] = new string('x', padding);
            var text = batch.ToJsonString();
            Assert.Equal(bytes, Encoding.UTF8.GetByteCount(text));
            return text;
        }

        var over = await ProblemDetailAsync(await PostAsync(Padded(65_537), gzip: gzip), HttpStatusCode.RequestEntityTooLarge);
        Assert.StartsWith("body: more than 65536 bytes uncompressed", over);
        Assert.Equal(0, await CountAsync("SELECT COUNT(*) FROM records"));

        var exact = await JsonAsync(await PostAsync(Padded(65_536), gzip: gzip));
        Assert.Equal(3, exact.GetProperty("accepted").GetInt32());
        Assert.Equal(3, await CountAsync("SELECT COUNT(*) FROM records"));
    }

    [Fact]
    public async Task The_openapi_document_describes_the_batch_endpoint()
    {
        var response = await _server.Client.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var document = await JsonAsync(response);
        var post = document.GetProperty("paths").GetProperty("/api/v1/gateways/{gatewayId}/batches").GetProperty("post");
        var statuses = post.GetProperty("responses").EnumerateObject().Select(p => p.Name).ToHashSet();
        Assert.Superset(new HashSet<string> { "200", "400", "401", "403", "413" }, statuses);
    }
}

public sealed class BatchEndpointOnSqliteTests() : BatchEndpointTests(StorageKind.Sqlite);

public sealed class BatchEndpointOnPostgresTests() : BatchEndpointTests(StorageKind.Postgres);
