using System;
using System.Threading;
using System.Threading.Tasks;
using Edge.Cloud.Audit;
using Edge.Cloud.Domain;
using Edge.Cloud.Storage;
using Microsoft.Extensions.Options;

namespace Edge.Cloud.Users;

/// <summary>The outcome of a login: the user's session, or none; <see cref="LockedUntil"/> is set while the name is
/// locked, <see cref="NowLocked"/> when this failure locked it.</summary>
public sealed record LoginResult(UserSession? Session, long? LockedUntil, bool NowLocked);

/// <summary>
/// Password login with a per-name lockout: <see cref="LoginOptions.MaxFailures"/> failures in a row lock the
/// name for <see cref="LoginOptions.LockoutMinutes"/>, during which even the right password is refused (and
/// not checked). The counter lives in <c>login_failures</c>, so a restart does not reset it, and it counts
/// names that do not exist the same way (the answers do not tell which names exist). Every outcome is
/// audited (<c>auth.login</c>, <c>auth.login.failed</c>) with the client address.
/// </summary>
public sealed class LoginService(UserService users, IStorageConnections connections, AuditLog audit, TimeProvider time, IOptions<UserOptions> options)
{
    /// <summary>Longer names cannot exist (the name pattern allows 64); this caps what a failure row stores.</summary>
    private const int MaxNameLength = 64;

    public async Task<LoginResult> LoginAsync(string name, string password, string? address, CancellationToken ct = default)
    {
        var limits = options.Value.Login;
        var key = name.Length > MaxNameLength ? name[..MaxNameLength] : name;
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        long? lockedUntil;
        await using (var read = await Tx.ReadAsync(connections, ct))
        {
            lockedUntil = await read.LongAsync("SELECT locked_until FROM login_failures WHERE name = @n AND locked_until > @now", ("@n", key), ("@now", now));
        }
        if (lockedUntil is not null)
        {
            await AuditAsync(key, "auth.login.failed", new { address, reason = "locked", lockedUntil }, ct);
            return new LoginResult(null, lockedUntil, false);
        }

        var user = await users.VerifyPasswordAsync(name, password, ct);
        await using var tx = await Tx.BeginAsync(connections, ct);
        if (user is not null)
        {
            await tx.ExecAsync("DELETE FROM login_failures WHERE name = @n", ("@n", key));
            await audit.WriteAsync(tx, key, "auth.login", "user:" + key, new { address });
            await tx.CommitAsync();
            return new LoginResult(await users.FindSessionAsync(user.Name, ct), null, false);
        }

        // One statement counts the failure, so concurrent failures for one name are all counted; failures
        // older than the lockout are forgotten (a typo a week never adds up to a lockout).
        var lockout = limits.LockoutMinutes * 60L;
        var failures = await tx.LongAsync("""
            INSERT INTO login_failures (name, failures, last_failure_at, locked_until) VALUES (@n, 1, @now, NULL)
            ON CONFLICT (name) DO UPDATE SET
              failures = CASE WHEN login_failures.last_failure_at < @forget THEN 1 ELSE login_failures.failures + 1 END,
              last_failure_at = @now
            RETURNING failures
            """, ("@n", key), ("@now", now), ("@forget", now - lockout)) ?? 1;
        long? locks = null;
        if (failures >= limits.MaxFailures)
        {
            locks = now + lockout;
            await tx.ExecAsync("UPDATE login_failures SET failures = 0, locked_until = @until WHERE name = @n", ("@until", locks), ("@n", key));
        }
        // Rows of names nobody tries any more (typos, guessed names) are dropped as they go stale.
        await tx.ExecAsync("DELETE FROM login_failures WHERE last_failure_at < @forget AND (locked_until IS NULL OR locked_until <= @now)",
            ("@forget", now - lockout), ("@now", now));
        await audit.WriteAsync(tx, key, "auth.login.failed", "user:" + key, new { address, reason = "wrong name or password", failures, lockedUntil = locks });
        await tx.CommitAsync();
        return new LoginResult(null, locks, locks is not null);
    }

    private async Task AuditAsync(string name, string action, object detail, CancellationToken ct)
    {
        await using var tx = await Tx.BeginAsync(connections, ct);
        await audit.WriteAsync(tx, name, action, "user:" + name, detail);
        await tx.CommitAsync();
    }
}
