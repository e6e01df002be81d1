using System;
using System.Threading.Tasks;
using Edge.Cloud.Domain;

namespace Edge.Cloud.Desired;

/// <summary>
/// The <c>desired_changes</c> log: one row per thing a gateway must learn (a node's config, display or
/// credentials, a command, a flood rule), numbered by a database identity. The downlink cursor is
/// <c>c:&lt;seq&gt;</c>; a poll answers with what changed after it. <see cref="Changed"/> wakes long
/// polls of this process at once; polls also re-read the log every few seconds, so changes written by
/// another process (a second cloud instance on the same PostgreSQL) are found too.
/// </summary>
public sealed class DesiredChangeLog
{
    public const string Config = "config";
    public const string Display = "display";
    public const string Node = "node";
    public const string Command = "command";
    public const string Rule = "rule";

    private readonly TimeProvider _time;
    private readonly Wakeup _changed = new();

    public DesiredChangeLog(TimeProvider time)
    {
        _time = time;
    }

    public async Task AppendAsync(Tx tx, string? gateway, string kind, string item)
    {
        if (gateway is null) return; // a node not yet assigned to a gateway: its first gateway gets a full picture of it
        await tx.LockChangesAsync();
        await tx.ExecAsync("INSERT INTO desired_changes (gateway, kind, item, at) VALUES (@g, @k, @i, @at)",
            ("@g", gateway), ("@k", kind), ("@i", item), ("@at", _time.GetUtcNow().ToUnixTimeSeconds()));
        tx.AfterCommit(Notify);
    }

    /// <summary>Completes when the next change commits in this process. Take it BEFORE reading the log, so a
    /// change committed between the read and the wait is not missed.</summary>
    public Task Changed => _changed.Next;

    public void Notify() => _changed.Notify();
}
