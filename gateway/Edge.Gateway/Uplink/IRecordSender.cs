using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Edge.Gateway.Outbox;

namespace Edge.Gateway.Uplink;

/// <summary>A record the cloud refused for good (docs/uplink.md §2 rule 3): never retried.</summary>
public sealed record RejectedRecord(long Seq, string Error);

/// <summary>What happened to one batch.</summary>
public abstract record SendOutcome
{
    /// <summary>The cloud has everything up to <paramref name="AckedThrough"/> (accepted, duplicate or rejected alike).</summary>
    public sealed record Delivered(long AckedThrough, int Accepted, int Duplicates, IReadOnlyList<RejectedRecord> Rejected) : SendOutcome;

    /// <summary>Try the same records again later: network error, 408, 429, 5xx, ServerBusy, 401/403 (never drop data over credentials).
    /// <paramref name="MayBeContent"/>: a 500, which a record's content can cause (an unavailable cloud says 502/503/504),
    /// so a batch that keeps getting it is split to find the record (<see cref="UplinkService"/>).</summary>
    public sealed record Retry(string Reason, TimeSpan? RetryAfter, bool MayBeContent = false) : SendOutcome;

    /// <summary>The batch as a whole was refused (400/413, or a record larger than an empty Event Hubs batch): halve it; a single record is given up.</summary>
    public sealed record TooLarge(string Reason) : SendOutcome;
}

/// <summary>One way to the cloud: HTTPS (<see cref="HttpRecordSender"/>) or Event Hubs (<see cref="EventHubsRecordSender"/>).</summary>
public interface IRecordSender
{
    string Name { get; }

    Task<SendOutcome> SendAsync(IReadOnlyList<OutboxMessage> batch, CancellationToken cancellationToken);
}
