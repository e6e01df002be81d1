using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Edge.Cloud.Gateways;

/// <summary>Registers the configured <see cref="GatewayOptions.Seed"/> gateways that are not registered yet.
/// Runs after the storage migration (hosted services start in registration order).</summary>
public sealed class GatewaySeeder : IHostedService
{
    private readonly GatewayRegistry _registry;
    private readonly IGatewayStore _store;
    private readonly GatewayOptions _options;
    private readonly ILogger<GatewaySeeder> _logger;

    public GatewaySeeder(GatewayRegistry registry, IGatewayStore store, IOptions<GatewayOptions> options, ILogger<GatewaySeeder> logger)
    {
        _registry = registry;
        _store = store;
        _options = options.Value;
        _logger = logger;
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var seed in _options.Seed)
        {
            var existing = await _store.FindAsync(seed.Id, cancellationToken);
            if (existing is not null)
            {
                if (existing.TokenHash != GatewayTokens.Hash(seed.Token))
                {
                    _logger.LogWarning("Seeded gateway {Gateway} exists with another token; keeping the stored one", seed.Id);
                }
                continue;
            }
            await _registry.RegisterAsync(seed.Id, seed.Name, seed.Token, cancellationToken);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
