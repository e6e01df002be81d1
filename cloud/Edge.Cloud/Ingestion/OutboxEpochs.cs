using System;
using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using Edge.Cloud.Alarms;
using Edge.Cloud.Audit;
using Edge.Cloud.Domain;
using Edge.Cloud.Storage;
using Microsoft.Extensions.Logging;

namespace Edge.Cloud.Ingestion;

/// <summary>
/// Keeps track of the outbox epochs each gateway sends under (docs/uplink.md §2 <c>epoch</c>). A gateway's outbox
/// gets a new epoch when it is created — first install, or after its data folder was wiped or replaced — and its
/// <c>seq</c> starts again at 1. The records are keyed by <c>(gateway, epoch, seq)</c>, so the new records are
/// stored instead of being taken for duplicates; a new epoch of a gateway that already had one is a storage reset:
/// audited (<c>gateway.storage-reset</c>) and alarmed (<c>gateway.storage-reset:&lt;epoch&gt;@gateway</c>, major):
/// whatever the old outbox held and had not sent is gone. Known epochs are cached, so the steady state costs no
/// query.
/// </summary>
public sealed partial class OutboxEpochs
{
    public const string ResetAlarmKind = "gateway.storage-reset";

    private readonly IStorageConnections _connections;
    private readonly AuditLog _audit;
    private readonly TimeProvider _time;
    private readonly ILogger<OutboxEpochs> _logger;
    private readonly ConcurrentDictionary<(string, string), bool> _known = new();

    public OutboxEpochs(IStorageConnections connections, AuditLog audit, TimeProvider time, ILogger<OutboxEpochs> logger)
    {
        _connections = connections;
        _audit = audit;
        _time = time;
        _logger = logger;
    }

    /// <summary>Epochs are opaque to the cloud: up to 64 of these characters (the gateway writes
    /// <c>&lt;creation time&gt;-&lt;random hex&gt;</c>).</summary>
    [GeneratedRegex("^[A-Za-z0-9._:-]{1,64}$")]
    public static partial Regex Pattern();

    /// <summary>Null when <paramref name="epoch"/> is acceptable, else the error (<c>epoch: …</c>).</summary>
    public static string? Check(string epoch) =>
        epoch.Length == 0 || Pattern().IsMatch(epoch) ? null : $"epoch: \"{(epoch.Length > 40 ? epoch[..40] + "…" : epoch)}\" does not match {Pattern()}";

    /// <summary>Registers the epoch a gateway sends under, before its records are stored; raises the reset alarm
    /// the first time a gateway shows a second epoch.</summary>
    public async Task NoteAsync(string gateway, string epoch, CancellationToken cancellationToken = default)
    {
        if (_known.ContainsKey((gateway, epoch))) return;
        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        await using var tx = await Tx.BeginAsync(_connections, cancellationToken);
        var added = await tx.ExecAsync("INSERT INTO gateway_epochs (gateway, epoch, first_seen_at) VALUES (@g, @e, @at) ON CONFLICT (gateway, epoch) DO NOTHING",
            ("@g", gateway), ("@e", epoch), ("@at", now));
        if (added == 1)
        {
            var previous = await tx.QueryAsync("SELECT epoch FROM gateway_epochs WHERE gateway = @g AND epoch <> @e ORDER BY first_seen_at DESC, epoch DESC",
                r => r.GetString(0), ("@g", gateway), ("@e", epoch));
            if (previous.Count > 0)
            {
                _logger.LogWarning("Gateway {Gateway} sends under a new outbox epoch {Epoch} (before: {Previous}): its storage was reset", gateway, epoch, previous[0]);
                await AlarmService.RaiseAsync(tx, null, null, gateway, ResetAlarmKind, AlarmRules.Key(ResetAlarmKind, epoch, gateway), "major",
                    $"gateway {gateway} started a new outbox (epoch '{epoch}', before '{previous[0]}'): its data folder was wiped or replaced; " +
                    "records it held and had not sent are lost, its sequence numbers start again", now);
                await _audit.WriteAsync(tx, "gateway:" + gateway, ResetAlarmKind, "gateway:" + gateway, new { epoch, previous = previous[0] });
            }
        }
        await tx.CommitAsync();
        _known[(gateway, epoch)] = true;
    }
}
