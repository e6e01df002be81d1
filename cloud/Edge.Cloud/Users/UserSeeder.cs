using System.Threading;
using System.Threading.Tasks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Edge.Cloud.Users;

/// <summary>Creates the configured <c>Users:Seed</c> users that do not exist yet (an existing user keeps its
/// password: a changed password survives restarts of the demo).</summary>
public sealed class UserSeeder(UserService users, IOptions<UserOptions> options, ILogger<UserSeeder> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var seed in options.Value.Seed)
        {
            if (await users.FindAsync(seed.Name, cancellationToken) is not null) continue;
            await users.CreateAsync("system", seed.Name, seed.Role, seed.Password, cancellationToken);
            logger.LogInformation("Seeded user {User} ({Role})", seed.Name, seed.Role);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
