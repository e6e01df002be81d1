using System;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;
using Edge.Cloud.Domain;
using Edge.Cloud.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Edge.Cloud.Transit;

/// <summary>What one fetch of the configured feed URL did.</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<FetchOutcome>))]
public enum FetchOutcome
{
    /// <summary>The server answered 304 to our ETag / Last-Modified: the active feed stays.</summary>
    NotModified,
    /// <summary>A 200 whose zip is the active feed byte for byte (e.g. after a restart): nothing imported.</summary>
    Unchanged,
    Imported,
    /// <summary>The feed was refused (its problems are in the import log); the last good feed stays active.</summary>
    Refused,
    /// <summary>No answer, or an HTTP error: nothing changed.</summary>
    Failed,
}

/// <summary>The last fetch, for the feed status.</summary>
public sealed record FeedFetch(string Url, long At, FetchOutcome Outcome, string? Detail, string? ETag, string? LastModified);

/// <summary>
/// Fetches the agency's GTFS zip from <see cref="FeedFetchOptions.Url"/> when the cloud starts and then every
/// <see cref="FeedFetchOptions.IntervalHours"/>, as a conditional GET (If-None-Match with the last ETag,
/// If-Modified-Since with the last Last-Modified): a 304 keeps the active feed without a download. A new zip goes
/// through <see cref="FeedImporter"/> exactly as an upload does, so a bad feed is refused with its problems listed
/// and the last good one stays active. At most <see cref="Gtfs.GtfsLimits.MaxZipBytes"/> + 1 bytes are read: a
/// larger feed is refused by the importer's size check without being downloaded whole.
/// </summary>
public sealed class FeedFetcher : BackgroundService
{
    public const string Actor = "transit-fetch";

    private readonly IHttpClientFactory _http;
    private readonly FeedImporter _importer;
    private readonly IStorageConnections _connections;
    private readonly TransitOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<FeedFetcher> _logger;
    // One fetch at a time: the schedule and a caller (the demo's seeding) must not import the same zip twice.
    private readonly SemaphoreSlim _one = new(1, 1);
    private string? _etag;
    private DateTimeOffset? _lastModified;

    public FeedFetcher(IHttpClientFactory http, FeedImporter importer, IStorageConnections connections, IOptions<TransitOptions> options,
        TimeProvider time, ILogger<FeedFetcher> logger)
    {
        _http = http;
        _importer = importer;
        _connections = connections;
        _options = options.Value;
        _time = time;
        _logger = logger;
    }

    /// <summary>The last fetch (null before the first, or without a URL).</summary>
    public FeedFetch? Last { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (string.IsNullOrWhiteSpace(_options.Feed.Url)) return;
        var interval = TimeSpan.FromHours(Math.Max(1.0 / 60, _options.Feed.IntervalHours));
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await FetchOnceAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // A database hiccup during an import: logged; the next round tries again.
                _logger.LogError(e, "GTFS feed fetch from {Url} failed", _options.Feed.Url);
            }
            try
            {
                await Task.Delay(interval, _time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>One conditional fetch of the configured URL and, when it brings a new zip, its import.</summary>
    public async Task<FeedFetch> FetchOnceAsync(CancellationToken ct = default)
    {
        var url = _options.Feed.Url ?? throw new InvalidOperationException("Transit:Feed:Url is not set");
        await _one.WaitAsync(ct);
        try
        {
            var fetch = await FetchAsync(url, ct);
            Last = fetch;
            if (fetch.Outcome is FetchOutcome.Failed or FetchOutcome.Refused)
                _logger.LogWarning("GTFS feed fetch from {Url}: {Outcome} ({Detail})", url, fetch.Outcome, fetch.Detail);
            else
                _logger.LogInformation("GTFS feed fetch from {Url}: {Outcome} {Detail}", url, fetch.Outcome, fetch.Detail);
            return fetch;
        }
        finally
        {
            _one.Release();
        }
    }

    private async Task<FeedFetch> FetchAsync(string url, CancellationToken ct)
    {
        var at = _time.GetUtcNow().ToUnixTimeSeconds();
        FeedFetch Result(FetchOutcome outcome, string? detail) => new(url, at, outcome, detail, _etag, _lastModified?.ToString("R"));

        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (_etag is not null && EntityTagHeaderValue.TryParse(_etag, out var etag)) request.Headers.IfNoneMatch.Add(etag);
        if (_lastModified is { } since) request.Headers.IfModifiedSince = since;
        using var client = _http.CreateClient(nameof(FeedFetcher));
        HttpResponseMessage response;
        try
        {
            response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        }
        catch (Exception e) when (e is HttpRequestException || (e is TaskCanceledException && !ct.IsCancellationRequested))
        {
            return Result(FetchOutcome.Failed, e.Message);
        }
        using (response)
        {
            if (response.StatusCode == HttpStatusCode.NotModified) return Result(FetchOutcome.NotModified, null);
            if (!response.IsSuccessStatusCode) return Result(FetchOutcome.Failed, $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}");

            // To a temporary file, as an upload: a feed may be tens of megabytes.
            await using var zip = new FileStream(Path.GetTempFileName(), FileMode.Open, FileAccess.ReadWrite, FileShare.None, 81920, FileOptions.DeleteOnClose);
            await using (var body = await response.Content.ReadAsStreamAsync(ct))
            {
                await CopyAtMostAsync(body, zip, _options.Limits.MaxZipBytes + 1, ct);
            }
            zip.Position = 0;
            var sha256 = Convert.ToHexStringLower(await SHA256.HashDataAsync(zip, ct));
            zip.Position = 0;
            string? activeSha;
            await using (var tx = await Tx.ReadAsync(_connections, ct)) activeSha = (await GtfsStore.ActiveAsync(tx))?.Sha256;

            FeedFetch fetch;
            if (activeSha == sha256)
            {
                fetch = Result(FetchOutcome.Unchanged, "sha256 " + sha256);
            }
            else
            {
                var imported = await _importer.ImportAsync(Actor, zip, ct);
                fetch = imported.Problems is { } problems
                    ? Result(FetchOutcome.Refused, $"import {imported.ImportId}: {problems.Total} problem(s), first: {problems.List[0]}")
                    : Result(FetchOutcome.Imported, $"import {imported.ImportId}: feed {imported.Feed}");
            }
            // Validators only once the zip was dealt with: a refused zip is not fetched again until the agency changes it.
            _etag = response.Headers.ETag?.ToString();
            _lastModified = response.Content.Headers.LastModified;
            return fetch with { ETag = _etag, LastModified = _lastModified?.ToString("R") };
        }
    }

    private static async Task CopyAtMostAsync(Stream from, Stream to, long max, CancellationToken ct)
    {
        var buffer = new byte[81920];
        long total = 0;
        int read;
        while (total < max && (read = await from.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, max - total)), ct)) > 0)
        {
            await to.WriteAsync(buffer.AsMemory(0, read), ct);
            total += read;
        }
    }

    public override void Dispose()
    {
        _one.Dispose();
        base.Dispose();
    }
}
