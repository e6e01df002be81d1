using System;
using System.Collections.Generic;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using Edge.Cloud.Audit;
using Edge.Cloud.Domain;
using Edge.Cloud.Storage;
using Microsoft.AspNetCore.Identity;

namespace Edge.Cloud.Users;

/// <summary>A user as the API shows it (never the password hash).</summary>
public sealed record UserInfo(string Name, string Role, long CreatedAt);

/// <summary>An API token as listed: its name and when it was made (the token itself is shown only once).</summary>
public sealed record ApiTokenInfo(string Id, string Name, long CreatedAt);

/// <summary>
/// Users, passwords and API tokens. Passwords are hashed with ASP.NET Core Identity's
/// <see cref="PasswordHasher{TUser}"/> (PBKDF2-HMAC-SHA512, salted, 100,000 iterations in V3 format). API
/// tokens are 32 CSPRNG bytes; stored is their SHA-256 (like gateway tokens: a 256-bit random secret needs
/// no salt or slow hash, and the digest lets the token be looked up).
/// </summary>
public sealed partial class UserService
{
    private readonly IStorageConnections _connections;
    private readonly AuditLog _audit;
    private readonly TimeProvider _time;
    private readonly PasswordHasher<UserInfo> _hasher = new();

    public UserService(IStorageConnections connections, AuditLog audit, TimeProvider time)
    {
        _connections = connections;
        _audit = audit;
        _time = time;
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
        await tx.ExecAsync("INSERT INTO users (name, role, password_hash, created_at) VALUES (@n, @r, @h, @c)",
            ("@n", name), ("@r", role), ("@h", _hasher.HashPassword(user, password)), ("@c", user.CreatedAt));
        await _audit.WriteAsync(tx, actor, "user.create", "user:" + name, new { role });
        await tx.CommitAsync();
        return user;
    }

    /// <summary>Changes the role and/or the password.</summary>
    public async Task<UserInfo> UpdateAsync(string actor, string name, string? role, string? password, CancellationToken ct = default)
    {
        if (role is not null && !Roles.IsKnown(role)) throw DomainException.Invalid($"role: '{role}' is not one of {string.Join(", ", Roles.All)}");
        if (password is not null && password.Length < MinPasswordLength) throw DomainException.Invalid($"password: needs at least {MinPasswordLength} characters");
        await using var tx = await Tx.BeginAsync(_connections, ct);
        var user = await FindAsync(tx, name) ?? throw DomainException.NotFound("user", name);
        if (role is not null)
        {
            await tx.ExecAsync("UPDATE users SET role = @r WHERE name = @n", ("@r", role), ("@n", name));
            user = user with { Role = role };
        }
        if (password is not null)
        {
            await tx.ExecAsync("UPDATE users SET password_hash = @h WHERE name = @n", ("@h", _hasher.HashPassword(user, password)), ("@n", name));
        }
        await _audit.WriteAsync(tx, actor, "user.update", "user:" + name, new { role, passwordChanged = password is not null });
        await tx.CommitAsync();
        return user;
    }

    public async Task DeleteAsync(string actor, string name, CancellationToken ct = default)
    {
        if (actor == name) throw DomainException.Conflict("you cannot delete your own user");
        await using var tx = await Tx.BeginAsync(_connections, ct);
        await tx.ExecAsync("DELETE FROM api_tokens WHERE user_name = @n", ("@n", name));
        if (await tx.ExecAsync("DELETE FROM users WHERE name = @n", ("@n", name)) == 0) throw DomainException.NotFound("user", name);
        await _audit.WriteAsync(tx, actor, "user.delete", "user:" + name);
        await tx.CommitAsync();
    }

    public async Task<IReadOnlyList<UserInfo>> ListAsync(CancellationToken ct = default)
    {
        await using var tx = await Tx.ReadAsync(_connections, ct);
        return await tx.QueryAsync("SELECT name, role, created_at FROM users ORDER BY name", Map);
    }

    public async Task<UserInfo?> FindAsync(string name, CancellationToken ct = default)
    {
        await using var tx = await Tx.ReadAsync(_connections, ct);
        return await FindAsync(tx, name);
    }

    /// <summary>The user when the password is right; null otherwise (unknown user and wrong password look the same).</summary>
    public async Task<UserInfo?> VerifyPasswordAsync(string name, string password, CancellationToken ct = default)
    {
        await using var tx = await Tx.ReadAsync(_connections, ct);
        var row = await tx.SingleAsync("SELECT name, role, created_at, password_hash FROM users WHERE name = @n",
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

    public async Task<(ApiTokenInfo Info, string Token)> CreateTokenAsync(string user, string tokenName, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(tokenName) || tokenName.Length > 64) throw DomainException.Invalid("name: 1..64 characters required");
        var token = "edge_" + Base64Url(RandomNumberGenerator.GetBytes(32));
        var hash = HashToken(token);
        var info = new ApiTokenInfo(hash[..16], tokenName, _time.GetUtcNow().ToUnixTimeSeconds());
        await using var tx = await Tx.BeginAsync(_connections, ct);
        await tx.ExecAsync("INSERT INTO api_tokens (token_hash, user_name, name, created_at) VALUES (@h, @u, @n, @c)",
            ("@h", hash), ("@u", user), ("@n", tokenName), ("@c", info.CreatedAt));
        await _audit.WriteAsync(tx, user, "token.create", "user:" + user, new { id = info.Id, name = tokenName });
        await tx.CommitAsync();
        return (info, token);
    }

    public async Task<IReadOnlyList<ApiTokenInfo>> ListTokensAsync(string user, CancellationToken ct = default)
    {
        await using var tx = await Tx.ReadAsync(_connections, ct);
        return await tx.QueryAsync("SELECT token_hash, name, created_at FROM api_tokens WHERE user_name = @u ORDER BY created_at",
            r => new ApiTokenInfo(r.GetString(0)[..16], r.GetString(1), r.GetInt64(2)), ("@u", user));
    }

    /// <summary>Revokes one of the user's tokens by its id (the first 16 hex digits of its hash).</summary>
    public async Task RevokeTokenAsync(string user, string id, CancellationToken ct = default)
    {
        await using var tx = await Tx.BeginAsync(_connections, ct);
        var hashes = await tx.QueryAsync("SELECT token_hash FROM api_tokens WHERE user_name = @u", r => r.GetString(0), ("@u", user));
        var hash = hashes.Find(h => h.StartsWith(id, StringComparison.Ordinal) && id.Length == 16) ?? throw DomainException.NotFound("token", id);
        await tx.ExecAsync("DELETE FROM api_tokens WHERE token_hash = @h", ("@h", hash));
        await _audit.WriteAsync(tx, user, "token.revoke", "user:" + user, new { id });
        await tx.CommitAsync();
    }

    /// <summary>The user owning a bearer API token, or null.</summary>
    public async Task<UserInfo?> FindByTokenAsync(string token, CancellationToken ct = default)
    {
        await using var tx = await Tx.ReadAsync(_connections, ct);
        return await tx.SingleAsync(
            "SELECT u.name, u.role, u.created_at FROM api_tokens t JOIN users u ON u.name = t.user_name WHERE t.token_hash = @h",
            Map, ("@h", HashToken(token)));
    }

    public static string HashToken(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static Task<UserInfo?> FindAsync(Tx tx, string name) =>
        tx.SingleAsync("SELECT name, role, created_at FROM users WHERE name = @n", Map, ("@n", name));

    private static UserInfo Map(System.Data.Common.DbDataReader r) => new(r.GetString(0), r.GetString(1), r.GetInt64(2));

    private static void Check(string name, string role, string password)
    {
        var errors = new List<string>();
        if (!NamePattern().IsMatch(name ?? "")) errors.Add($"name: '{name}' does not match {NamePattern()}");
        if (!Roles.IsKnown(role ?? "")) errors.Add($"role: '{role}' is not one of {string.Join(", ", Roles.All)}");
        if ((password ?? "").Length < MinPasswordLength) errors.Add($"password: needs at least {MinPasswordLength} characters");
        if (errors.Count > 0) throw DomainException.InvalidDocument("user", errors);
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
