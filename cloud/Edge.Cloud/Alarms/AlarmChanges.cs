using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using Edge.Cloud.Domain;
using Edge.Cloud.Storage;
using Edge.Sqlite;

namespace Edge.Cloud.Alarms;

/// <summary>What raising an alarm writes: where, and how bad.</summary>
public sealed record AlarmRaise(string? Site, string? Node, string? Gateway, string Kind, string Severity, string Message);

/// <summary>One alarm change at <paramref name="At"/>: raise the condition <paramref name="Key"/> (or refresh its active
/// alarm) when <paramref name="Raise"/> is set, else clear it.</summary>
public sealed record AlarmChange(string Key, long At, AlarmRaise? Raise);

/// <summary>
/// The alarm changes of one batch of records, written in their order with the effect of
/// <see cref="AlarmService.RaiseAsync"/> / <see cref="AlarmService.ClearAsync"/> one by one, but in a few statements:
/// one query reads which of the batch's keys have an active alarm, then only the writes that change something are sent,
/// many per command. A state record clearing the offline alarm of a node that has none (nearly every state) writes
/// nothing; a raise is the same upsert as <see cref="AlarmService.RaiseAsync"/>, so a condition another transaction
/// opened meanwhile (a sweep, another cloud process) is refreshed, not opened twice. The record feed used to send one or
/// two statements per event and state (about 75 round trips for a batch of 500 records of the usual mix); the caller's
/// transaction holds them.
/// </summary>
public sealed class AlarmChanges
{
    /// <summary>Statements per command: keeps each command's text and parameter list small.</summary>
    private const int StatementsPerCommand = 100;

    private readonly List<AlarmChange> _changes = new();

    public int Count => _changes.Count;

    public void Add(AlarmChange? change)
    {
        if (change is not null) _changes.Add(change);
    }

    /// <summary>Writes the changes in <paramref name="tx"/> and forgets them.</summary>
    public async Task WriteAsync(Tx tx)
    {
        if (_changes.Count == 0) return;
        var (match, keys) = tx.AnyOf("alarm_key", "@k", _changes.Select(c => c.Key).Distinct(StringComparer.Ordinal).ToList());
        var active = (await tx.QueryAsync($"SELECT alarm_key FROM alarms WHERE {match} AND status IN ('open', 'acknowledged')",
            r => r.GetString(0), keys)).ToHashSet(StringComparer.Ordinal);
        if (tx.Kind == StorageKind.Sqlite) WriteEach(tx, active);
        else await WriteBatchedAsync(tx, active);
        _changes.Clear();
    }

    /// <summary>
    /// SQLite runs in this process, so there is no round trip to save: each change is one run of a statement prepared
    /// once and bound by position. A command of many statements was prepared again at every run and bound each of its
    /// parameters by name into each statement of it (2.0 ms of the record feed's time a batch of the benchmark's mix).
    /// </summary>
    private void WriteEach(Tx tx, HashSet<string> active)
    {
        SqliteRowStatement? raise = null, clear = null;
        try
        {
            foreach (var change in _changes)
            {
                if (change.Raise is { } r)
                {
                    AlarmService.Raise(raise ??= new SqliteRowStatement(tx.Connection, AlarmService.RaiseSql("@")), r, change.Key, change.At);
                    active.Add(change.Key);
                }
                else if (active.Remove(change.Key))
                {
                    (clear ??= new SqliteRowStatement(tx.Connection, AlarmService.ClearSql("@"))).Add(change.At).Add(change.Key).Execute();
                }
            }
        }
        finally
        {
            raise?.Dispose();
            clear?.Dispose();
        }
    }

    /// <summary>PostgreSQL: the writes that change something, many statements a command (one round trip each).</summary>
    private async Task WriteBatchedAsync(Tx tx, HashSet<string> active)
    {
        var sql = new StringBuilder();
        var parameters = new List<(string, object?)>();
        var statements = 0;
        foreach (var change in _changes)
        {
            var p = "@a" + statements + "_";
            if (change.Raise is { } raise)
            {
                sql.Append(AlarmService.RaiseSql(p)).Append(';');
                parameters.AddRange(AlarmService.RaiseParameters(p, raise, change.Key, change.At));
                active.Add(change.Key);
            }
            else if (active.Remove(change.Key))
            {
                sql.Append(AlarmService.ClearSql(p)).Append(';');
                parameters.AddRange([(p + "at", change.At), (p + "k", change.Key)]);
            }
            else continue;
            if (++statements == StatementsPerCommand) await FlushAsync();
        }
        await FlushAsync();

        async Task FlushAsync()
        {
            if (statements == 0) return;
            await tx.ExecAsync(sql.ToString(), parameters.ToArray());
            sql.Clear();
            parameters.Clear();
            statements = 0;
        }
    }
}
