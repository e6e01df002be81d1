using System;
using System.IO;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;
using Edge.Cloud.Audit;
using Edge.Cloud.Domain;
using Edge.Cloud.Storage;
using Edge.Cloud.Transit.Gtfs;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Edge.Cloud.Transit;

/// <summary>What an import did: the feed it activated, or (Feed null) the problems that refused it.</summary>
public sealed record FeedImportResult(long ImportId, long? Feed, string Sha256, GtfsProblems? Problems);

/// <summary>
/// Imports a GTFS feed zip: limits, read, validate, then store and activate in one transaction. A refused feed
/// changes nothing but the import log (its problems stay visible in the feed status); the last good feed keeps
/// serving. <see cref="FeedChanged"/> tells the timetable publisher after a switch.
/// </summary>
public sealed class FeedImporter
{
    private readonly IStorageConnections _connections;
    private readonly AuditLog _audit;
    private readonly TimeProvider _time;
    private readonly TransitOptions _options;
    private readonly ILogger<FeedImporter> _logger;

    public FeedImporter(IStorageConnections connections, AuditLog audit, TimeProvider time, IOptions<TransitOptions> options, ILogger<FeedImporter> logger)
    {
        _connections = connections;
        _audit = audit;
        _time = time;
        _options = options.Value;
        _logger = logger;
    }

    /// <summary>Raised after a new feed became active (the argument is its version).</summary>
    public event Action<long>? FeedChanged;

    public async Task<FeedImportResult> ImportAsync(string actor, Stream zip, CancellationToken ct = default)
    {
        var sha256 = Convert.ToHexStringLower(await SHA256.HashDataAsync(zip, ct));
        zip.Position = 0;
        GtfsFeed feed;
        try
        {
            using var archive = GtfsZip.Open(zip, _options.Limits);
            feed = GtfsReader.Read(archive);
        }
        catch (GtfsFeedException e)
        {
            _logger.LogWarning("GTFS feed {Sha256} refused with {Count} problem(s), first: {First}", sha256, e.Problems.Total, e.Problems.List[0]);
            await using var log = await Tx.BeginAsync(_connections, ct);
            var id = await GtfsStore.LogImportAsync(log, Now, actor, sha256, null, e.Problems);
            await _audit.WriteAsync(log, actor, "transit.feed.refused", "transit:feed", new { sha256, problems = e.Problems.Total });
            await log.CommitAsync();
            return new FeedImportResult(id, null, sha256, e.Problems);
        }

        await using var tx = await Tx.BeginAsync(_connections, ct);
        var version = await GtfsStore.SaveAsync(tx, feed, actor, sha256, Now);
        var importId = await GtfsStore.LogImportAsync(tx, Now, actor, sha256, version, null);
        await _audit.WriteAsync(tx, actor, "transit.feed.import", "transit:feed", new { feed = version, sha256, stopTimes = feed.StopTimes.Count });
        tx.AfterCommit(() => FeedChanged?.Invoke(version));
        await tx.CommitAsync();
        _logger.LogInformation("GTFS feed {Version} ({Sha256}) active: {Stops} stops, {Trips} trips, {StopTimes} stop times",
            version, sha256, feed.Stops.Count, feed.Trips.Count, feed.StopTimes.Count);
        return new FeedImportResult(importId, version, sha256, null);
    }

    private long Now => _time.GetUtcNow().ToUnixTimeSeconds();
}
