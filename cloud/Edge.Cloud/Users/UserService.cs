using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using Edge.Cloud.Audit;
using Edge.Cloud.Domain;
using Edge.Cloud.Storage;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Edge.Cloud.Users;

/// <summary>A user as the API shows it (never the password hash); <see cref="Disabled"/>: sign-in, sessions and API
/// tokens refused until an admin enables the user again.</summary>
public sealed record UserInfo(string Name, string Role, long CreatedAt, bool Disabled = false);

/// <summary>An API token as listed: its name, when it was made, when it expires and when it was last used
/// (to <see cref="TokenOptions.UseIntervalSeconds"/>; null: never). The token itself is shown only once.</summary>
public sealed record ApiTokenInfo(string Id, string Name, long CreatedAt, long ExpiresAt, long? LastUsedAt);

/// <summary>A user with the session stamp its sessions must carry (a new one on every password or role change).</summary>
public sealed record UserSession(UserInfo User, string Stamp);

/// <summary>The owner of a presented API token and the token's own facts.</summary>
public sealed record TokenOwner(UserInfo User, string Hash, string TokenName, long ExpiresAt, long? LastUsedAt)
{
    public string Id => Hash[..16];
}

/// <summary>
/// Users, passwords and API tokens. Passwords are hashed with ASP.NET Core Identity's
/// <see cref="PasswordHasher{TUser}"/> (PBKDF2-HMAC-SHA512, salted, 100,000 iterations in V3 format). API
/// tokens are 32 CSPRNG bytes; stored is their SHA-256 (like gateway tokens: a 256-bit random secret needs
/// no salt or slow hash, and the digest lets the token be looked up). There is always at least one admin:
/// the last one can be neither demoted nor deleted (nobody could manage users any more, and the seeder
/// does not recreate an existing user).
/// </summary>
public sealed partial class UserService
{
    private readonly IStorageConnections _connections;
    private readonly AuditLog _audit;
    private readonly TimeProvider _time;
    private readonly TokenOptions _tokens;
    private readonly PasswordHasher<UserInfo> _hasher = new();

    public UserService(IStorageConnections connections, AuditLog audit, TimeProvider time, IOptions<UserOptions> options)
    {
        _connections = connections;
        _audit = audit;
        _time = time;
        _tokens = options.Value.Tokens;
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,63}$")]
    private static partial Regex NamePattern();

    public const int MinPasswordLength = 8;

    public async Task<UserInfo> CreateAsync(string actor, string name, string role, string password, CancellationToken ct = default)
    {
        Check(name, role, password);
        await using var tx = await Tx.BeginAsync(_connections, ct);
        if (await tx.LongAsync("SELECT COUNT(*) FROM users WHERE name = @n", ("@n", name)) > 0)
        {
            throw DomainException.Conflict($"user '{name}' already exists");
        }
        var user = new UserInfo(name, role, _time.GetUtcNow().ToUnixTimeSeconds());
        await tx.ExecAsync("INSERT INTO users (name, role, password_hash, created_at, security_stamp) VALUES (@n, @r, @h, @c, @s)",
            ("@n", name), ("@r", role), ("@h", _hasher.HashPassword(user, password)), ("@c", user.CreatedAt), ("@s", NewStamp()));
        await _audit.WriteAsync(tx, actor, "user.create", "user:" + name, new { role });
        await tx.CommitAsync();
        return user;
    }

    /// <summary>Changes the role and/or the password. Either change gives the user a new session stamp, which
    /// ends their browser sessions; a new password also revokes their API tokens (one may have been made by
    /// whoever knew the old password) and clears a login lockout.</summary>
    public async Task<UserInfo> UpdateAsync(string actor, string name, string? role, string? password, CancellationToken ct = default)
    {
        if (role is not null && !Roles.IsKnown(role)) throw DomainException.Invalid($"role: '{role}' is not one of {string.Join(", ", Roles.All)}");
        if (password is not null && password.Length < MinPasswordLength) throw DomainException.Invalid($"password: needs at least {MinPasswordLength} characters");
        await using var tx = await Tx.BeginAsync(_connections, ct);
        await LockAdminsAsync(tx);
        var user = await FindAsync(tx, name) ?? throw DomainException.NotFound("user", name);
        var roleChanged = role is not null && role != user.Role;
        if (roleChanged)
        {
            await tx.ExecAsync("UPDATE users SET role = @r WHERE name = @n", ("@r", role), ("@n", name));
            await RefuseNoAdminLeftAsync(tx, name, "demoted");
            user = user with { Role = role! };
        }
        var tokensRevoked = 0;
        if (password is not null)
        {
            await tx.ExecAsync("UPDATE users SET password_hash = @h WHERE name = @n", ("@h", _hasher.HashPassword(user, password)), ("@n", name));
            tokensRevoked = await tx.ExecAsync("DELETE FROM api_tokens WHERE user_name = @n", ("@n", name));
            await tx.ExecAsync("DELETE FROM login_failures WHERE name = @n", ("@n", name));
        }
        if (roleChanged || password is not null)
        {
            await tx.ExecAsync("UPDATE users SET security_stamp = @s WHERE name = @n", ("@s", NewStamp()), ("@n", name));
        }
        await _audit.WriteAsync(tx, actor, "user.update", "user:" + name, new { role, passwordChanged = password is not null, tokensRevoked });
        await tx.CommitAsync();
        return user;
    }

    public async Task DeleteAsync(string actor, string name, CancellationToken ct = default)
    {
        if (actor == name) throw DomainException.Conflict("you cannot delete your own user");
        await using var tx = await Tx.BeginAsync(_connections, ct);
        await LockAdminsAsync(tx);
        await tx.ExecAsync("DELETE FROM api_tokens WHERE user_name = @n", ("@n", name));
        if (await tx.ExecAsync("DELETE FROM users WHERE name = @n", ("@n", name)) == 0) throw DomainException.NotFound("user", name);
        await RefuseNoAdminLeftAsync(tx, name, "deleted");
        await _audit.WriteAsync(tx, actor, "user.delete", "user:" + name);
        await tx.CommitAsync();
    }

    /// <summary>Disables or enables a user and returns them as they now are. A disabled user keeps name, role, tokens and
    /// audit trail, but cannot sign in, their sessions end (new session stamp) and their API tokens are refused until
    /// enabled again. The last enabled admin cannot be disabled, and nobody disables themselves. Disabling a disabled
    /// user (or enabling an enabled one) changes nothing and writes no audit entry.</summary>
    public async Task<UserInfo> SetDisabledAsync(string actor, string name, bool disabled, CancellationToken ct = default)
    {
        if (disabled && actor == name) throw DomainException.Conflict("you cannot disable your own user");
        await using var tx = await Tx.BeginAsync(_connections, ct);
        await LockAdminsAsync(tx);
        var changed = disabled
            ? await tx.ExecAsync("UPDATE users SET disabled_at = @at, security_stamp = @s WHERE name = @n AND disabled_at IS NULL",
                ("@at", _time.GetUtcNow().ToUnixTimeSeconds()), ("@s", NewStamp()), ("@n", name))
            : await tx.ExecAsync("UPDATE users SET disabled_at = NULL, security_stamp = @s WHERE name = @n AND disabled_at IS NOT NULL",
                ("@s", NewStamp()), ("@n", name));
        var user = await FindAsync(tx, name) ?? throw DomainException.NotFound("user", name);
        if (disabled) await RefuseNoAdminLeftAsync(tx, name, "disabled");
        if (changed > 0) await _audit.WriteAsync(tx, actor, disabled ? "user.disable" : "user.enable", "user:" + name);
        await tx.CommitAsync();
        return user;
    }

    /// <summary>PostgreSQL (read committed) would let two admins demote each other at the same time and both
    /// see one admin left; locking the admin rows first makes the second wait and count again. SQLite
    /// transactions are <c>BEGIN IMMEDIATE</c>: one writer at a time anyway.</summary>
    private static async Task LockAdminsAsync(Tx tx)
    {
        if (tx.Kind == StorageKind.Postgres) await tx.ExecAsync("SELECT name FROM users WHERE role = @r FOR UPDATE", ("@r", Roles.Admin));
    }

    /// <summary>Checked after the change, inside its transaction: throwing rolls it back.</summary>
    private static async Task RefuseNoAdminLeftAsync(Tx tx, string name, string what)
    {
        if (await tx.LongAsync("SELECT COUNT(*) FROM users WHERE role = @r AND disabled_at IS NULL", ("@r", Roles.Admin)) == 0)
        {
            throw new DomainException(409, "Last admin",
                $"user '{name}' is the last admin and cannot be {what}: make another user admin first, so that someone can still manage users");
        }
    }

    public async Task<IReadOnlyList<UserInfo>> ListAsync(CancellationToken ct = default)
    {
        await using var tx = await Tx.ReadAsync(_connections, ct);
        return await tx.QueryAsync("SELECT name, role, created_at, disabled_at FROM users ORDER BY name", MapWithStatus);
    }

    public async Task<UserInfo?> FindAsync(string name, CancellationToken ct = default)
    {
        await using var tx = await Tx.ReadAsync(_connections, ct);
        return await FindAsync(tx, name);
    }

    /// <summary>The user and their current session stamp (checked on every cookie request).</summary>
    public async Task<UserSession?> FindSessionAsync(string name, CancellationToken ct = default)
    {
        await using var tx = await Tx.ReadAsync(_connections, ct);
        return await tx.SingleAsync("SELECT name, role, created_at, security_stamp FROM users WHERE name = @n AND disabled_at IS NULL",
            r => new UserSession(Map(r), r.GetString(3)), ("@n", name));
    }

    /// <summary>The user when the password is right; null otherwise (an unknown or disabled user and a wrong password look the same).</summary>
    public async Task<UserInfo?> VerifyPasswordAsync(string name, string password, CancellationToken ct = default)
    {
        await using var tx = await Tx.ReadAsync(_connections, ct);
        var row = await tx.SingleAsync("SELECT name, role, created_at, password_hash FROM users WHERE name = @n AND disabled_at IS NULL",
            r => new UserRow(Map(r), r.GetString(3)), ("@n", name));
        if (row is null)
        {
            // Spend the same time as a real check, so response times do not reveal which names exist.
            _hasher.VerifyHashedPassword(new UserInfo(name, "", 0), DummyHash.Value, password);
            return null;
        }
        var result = _hasher.VerifyHashedPassword(row.User, row.Hash, password);
        if (result == PasswordVerificationResult.Failed) return null;
        if (result == PasswordVerificationResult.SuccessRehashNeeded)
        {
            await using var write = await Tx.BeginAsync(_connections, ct);
            await write.ExecAsync("UPDATE users SET password_hash = @h WHERE name = @n", ("@h", _hasher.HashPassword(row.User, password)), ("@n", name));
            await write.CommitAsync();
        }
        return row.User;
    }

    private sealed record UserRow(UserInfo User, string Hash);

    private static readonly Lazy<string> DummyHash = new(() => new PasswordHasher<UserInfo>().HashPassword(new UserInfo("", "", 0), "not-a-password"));

    /// <summary>A new token for <paramref name="user"/>, valid <paramref name="expiresInDays"/> days
    /// (1..<see cref="TokenOptions.MaxDays"/>; default <see cref="TokenOptions.DefaultDays"/>).</summary>
    public Task<(ApiTokenInfo Info, string Token)> CreateTokenAsync(string user, string tokenName, int? expiresInDays = null, CancellationToken ct = default) =>
        CreateTokenAsync(user, user, tokenName, expiresInDays, ct);

    /// <summary>A new token for <paramref name="user"/> made by <paramref name="actor"/> (an admin, in the audit entry).</summary>
    public async Task<(ApiTokenInfo Info, string Token)> CreateTokenAsync(string actor, string user, string tokenName, int? expiresInDays, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(tokenName) || tokenName.Length > 64) throw DomainException.Invalid("name: 1..64 characters required");
        var days = expiresInDays ?? _tokens.DefaultDays;
        if (days < 1 || days > _tokens.MaxDays) throw DomainException.Invalid($"expiresInDays: {days} is out of range 1..{_tokens.MaxDays}");
        var token = "edge_" + Base64Url(RandomNumberGenerator.GetBytes(32));
        var hash = HashToken(token);
        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        var info = new ApiTokenInfo(hash[..16], tokenName, now, now + days * 86400L, null);
        await using var tx = await Tx.BeginAsync(_connections, ct);
        await tx.ExecAsync("INSERT INTO api_tokens (token_hash, user_name, name, created_at, expires_at) VALUES (@h, @u, @n, @c, @e)",
            ("@h", hash), ("@u", user), ("@n", tokenName), ("@c", info.CreatedAt), ("@e", info.ExpiresAt));
        await _audit.WriteAsync(tx, actor, "token.create", "user:" + user, new { id = info.Id, name = tokenName, expiresAt = info.ExpiresAt });
        await tx.CommitAsync();
        return (info, token);
    }

    public async Task<IReadOnlyList<ApiTokenInfo>> ListTokensAsync(string user, CancellationToken ct = default)
    {
        await using var tx = await Tx.ReadAsync(_connections, ct);
        return await tx.QueryAsync("SELECT token_hash, name, created_at, expires_at, last_used_at FROM api_tokens WHERE user_name = @u ORDER BY created_at",
            r => new ApiTokenInfo(r.GetString(0)[..16], r.GetString(1), r.GetInt64(2), r.GetInt64(3), r.IsDBNull(4) ? null : r.GetInt64(4)), ("@u", user));
    }

    /// <summary>Revokes one of the user's tokens by its id (the first 16 hex digits of its hash).</summary>
    public Task RevokeTokenAsync(string user, string id, CancellationToken ct = default) => RevokeTokenAsync(user, user, id, ct);

    /// <summary>Revokes one of <paramref name="user"/>'s tokens on behalf of <paramref name="actor"/> (an admin).</summary>
    public async Task RevokeTokenAsync(string actor, string user, string id, CancellationToken ct = default)
    {
        await using var tx = await Tx.BeginAsync(_connections, ct);
        var hashes = await tx.QueryAsync("SELECT token_hash FROM api_tokens WHERE user_name = @u", r => r.GetString(0), ("@u", user));
        var hash = hashes.Find(h => h.StartsWith(id, StringComparison.Ordinal) && id.Length == 16) ?? throw DomainException.NotFound("token", id);
        await tx.ExecAsync("DELETE FROM api_tokens WHERE token_hash = @h", ("@h", hash));
        await _audit.WriteAsync(tx, actor, "token.revoke", "user:" + user, new { id });
        await tx.CommitAsync();
    }

    /// <summary>The owner of a bearer API token and the token's expiry, or null (expiry is the caller's check).</summary>
    public async Task<TokenOwner?> FindByTokenAsync(string token, CancellationToken ct = default)
    {
        await using var tx = await Tx.ReadAsync(_connections, ct);
        return await tx.SingleAsync(
            "SELECT u.name, u.role, u.created_at, t.token_hash, t.name, t.expires_at, t.last_used_at FROM api_tokens t JOIN users u ON u.name = t.user_name WHERE t.token_hash = @h AND u.disabled_at IS NULL",
            r => new TokenOwner(Map(r), r.GetString(3), r.GetString(4), r.GetInt64(5), r.IsDBNull(6) ? null : r.GetInt64(6)), ("@h", HashToken(token)));
    }

    /// <summary>Notes a use of the token: sets its last-used time and writes a <c>token.use</c> audit entry, at most
    /// once per <see cref="TokenOptions.UseIntervalSeconds"/> (a script calling every second must not flood the
    /// audit log or write on every request). The conditional update decides, so concurrent requests write once.</summary>
    public async Task RecordTokenUseAsync(TokenOwner owner, string? address, CancellationToken ct = default)
    {
        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        if (owner.LastUsedAt is { } last && now - last < _tokens.UseIntervalSeconds) return;
        await using var tx = await Tx.BeginAsync(_connections, ct);
        var updated = await tx.ExecAsync(
            "UPDATE api_tokens SET last_used_at = @now WHERE token_hash = @h AND (last_used_at IS NULL OR last_used_at <= @due)",
            ("@now", now), ("@h", owner.Hash), ("@due", now - _tokens.UseIntervalSeconds));
        if (updated == 0) return;
        await _audit.WriteAsync(tx, owner.User.Name, "token.use", "user:" + owner.User.Name, new { id = owner.Id, name = owner.TokenName, address });
        await tx.CommitAsync();
    }

    public static string HashToken(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static Task<UserInfo?> FindAsync(Tx tx, string name) =>
        tx.SingleAsync("SELECT name, role, created_at, disabled_at FROM users WHERE name = @n", MapWithStatus, ("@n", name));

    /// <summary>name, role, created_at of a user the query already knows is enabled (<c>disabled_at IS NULL</c>).</summary>
    private static UserInfo Map(System.Data.Common.DbDataReader r) => new(r.GetString(0), r.GetString(1), r.GetInt64(2));

    /// <summary>name, role, created_at, disabled_at.</summary>
    private static UserInfo MapWithStatus(System.Data.Common.DbDataReader r) => Map(r) with { Disabled = !r.IsDBNull(3) };

    private static void Check(string name, string role, string password)
    {
        var errors = new List<string>();
        if (!NamePattern().IsMatch(name ?? "")) errors.Add($"name: '{name}' does not match {NamePattern()}");
        if (!Roles.IsKnown(role ?? "")) errors.Add($"role: '{role}' is not one of {string.Join(", ", Roles.All)}");
        if ((password ?? "").Length < MinPasswordLength) errors.Add($"password: needs at least {MinPasswordLength} characters");
        if (errors.Count > 0) throw DomainException.InvalidDocument("user", errors);
    }

    private static string NewStamp() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
