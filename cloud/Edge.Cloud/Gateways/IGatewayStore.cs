using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace Edge.Cloud.Gateways;

/// <summary>A registered gateway. <see cref="TokenHash"/> is <see cref="GatewayTokens.Hash"/> of its bearer
/// token; the token itself is never stored.</summary>
public sealed record GatewayRegistration(string Id, string Name, string TokenHash, long CreatedAt);

/// <summary>The <c>gateways</c> table.</summary>
public interface IGatewayStore
{
    /// <summary>Adds the gateway; false when the id (or the token hash) is already taken.</summary>
    Task<bool> AddAsync(GatewayRegistration gateway, CancellationToken cancellationToken = default);

    Task<GatewayRegistration?> FindAsync(string id, CancellationToken cancellationToken = default);

    Task<GatewayRegistration?> FindByTokenHashAsync(string tokenHash, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<GatewayRegistration>> ListAsync(CancellationToken cancellationToken = default);

    /// <summary>Replaces the token hash (token rotation); false when the gateway does not exist.</summary>
    Task<bool> SetTokenHashAsync(string id, string tokenHash, CancellationToken cancellationToken = default);
}
