using System.Collections.Generic;
using System.Net.Http.Headers;
using System.Threading;
using System.Threading.Tasks;

namespace Edge.Cloud.Tests.Support;

/// <summary>One running cloud with one seeded gateway, its client already sending the gateway's token, shared by the
/// tests of a class; <see cref="NextSeq"/> hands out fresh gateway seqs so the tests never collide.</summary>
public sealed class GatewayCloud : IAsyncLifetime
{
    public const string Gateway = "gw-shared-1";
    public const string Token = "token-of-gw-shared-1-at-least-32-characters";

    private long _seq;

    public CloudServer Server { get; private set; } = null!;

    public long NextSeq() => Interlocked.Increment(ref _seq);

    public async Task InitializeAsync()
    {
        Server = await CloudServer.StartAsync(new Dictionary<string, string?> { ["Gateways:Seed:0:Id"] = Gateway, ["Gateways:Seed:0:Token"] = Token });
        Server.Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
    }

    public async Task DisposeAsync() => await Server.DisposeAsync();
}
