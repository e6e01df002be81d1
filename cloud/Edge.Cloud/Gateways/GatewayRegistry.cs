using System;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Logging;

namespace Edge.Cloud.Gateways;

/// <summary>Registers gateways and checks their bearer tokens (docs/uplink.md §1).</summary>
public sealed partial class GatewayRegistry
{
    private readonly IGatewayStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger<GatewayRegistry> _logger;

    public GatewayRegistry(IGatewayStore store, TimeProvider time, ILogger<GatewayRegistry> logger)
    {
        _store = store;
        _time = time;
        _logger = logger;
    }

    /// <summary>Gateway ids: like node ids (protocol.md §2.1), up to 64 characters.</summary>
    [GeneratedRegex("^[a-z0-9][a-z0-9-]{0,63}$")]
    public static partial Regex IdPattern();

    /// <summary>
    /// Registers a gateway and returns its token — the only time the token is visible. Pass
    /// <paramref name="token"/> to register a token configured elsewhere (seeding); otherwise a new one is made.
    /// Throws <see cref="ArgumentException"/> for a bad id or a token under 32 characters, and
    /// <see cref="InvalidOperationException"/> when the id is taken.
    /// </summary>
    public async Task<(GatewayRegistration Gateway, string Token)> RegisterAsync(string id, string? name = null, string? token = null, CancellationToken cancellationToken = default)
    {
        if (!IdPattern().IsMatch(id)) throw new ArgumentException($"gateway id '{id}' does not match {IdPattern()}", nameof(id));
        token ??= GatewayTokens.NewToken();
        if (token.Length < 32) throw new ArgumentException("a gateway token needs at least 32 characters", nameof(token));
        var gateway = new GatewayRegistration(id, name ?? id, GatewayTokens.Hash(token), _time.GetUtcNow().ToUnixTimeSeconds());
        if (!await _store.AddAsync(gateway, cancellationToken))
        {
            throw new InvalidOperationException($"gateway '{id}' is already registered (or its token is in use)");
        }
        _logger.LogInformation("Registered gateway {Gateway}", id);
        return (gateway, token);
    }

    /// <summary>Issues a new token; the old one stops working at once.</summary>
    public async Task<string> RotateTokenAsync(string id, CancellationToken cancellationToken = default)
    {
        var token = GatewayTokens.NewToken();
        if (!await _store.SetTokenHashAsync(id, GatewayTokens.Hash(token), cancellationToken))
        {
            throw new InvalidOperationException($"gateway '{id}' is not registered");
        }
        return token;
    }

    /// <summary>
    /// Checks an <c>Authorization</c> header against the gateway the request names: no or malformed header
    /// or unknown token → 401; a valid token of another gateway → 403.
    /// </summary>
    public async Task<GatewayAuthResult> AuthenticateAsync(string gatewayId, string? authorization, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(authorization))
        {
            return GatewayAuthResult.Fail(401, "missing Authorization header; send 'Authorization: Bearer <gateway token>'");
        }
        const string scheme = "Bearer ";
        if (!authorization.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) || authorization.Length == scheme.Length)
        {
            return GatewayAuthResult.Fail(401, "the Authorization header must be 'Bearer <gateway token>'");
        }
        var token = authorization[scheme.Length..].Trim();
        var owner = await _store.FindByTokenHashAsync(GatewayTokens.Hash(token), cancellationToken);
        if (owner is null) return GatewayAuthResult.Fail(401, "the bearer token is not valid for any gateway");
        if (!string.Equals(owner.Id, gatewayId, StringComparison.Ordinal))
        {
            return GatewayAuthResult.Fail(403, $"the bearer token belongs to gateway '{owner.Id}', not '{gatewayId}'");
        }
        return new GatewayAuthResult(owner, 200, null);
    }
}

/// <summary>Outcome of <see cref="GatewayRegistry.AuthenticateAsync"/>: the gateway, or an HTTP status and a
/// detail for the problem response.</summary>
public sealed record GatewayAuthResult(GatewayRegistration? Gateway, int Status, string? Detail)
{
    public static GatewayAuthResult Fail(int status, string detail) => new(null, status, detail);
}
