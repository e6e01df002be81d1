using System.Collections.Generic;
using System.Net.Http.Headers;
using System.Threading;
using System.Threading.Tasks;
using Edge.Cloud.Inventory;
using Microsoft.Extensions.DependencyInjection;

namespace Edge.Cloud.Tests.Support;

/// <summary>One running cloud with one seeded gateway, its client already sending the gateway's token, shared by the
/// tests of a class; <see cref="NextSeq"/> hands out fresh gateway seqs so the tests never collide. The cloud takes
/// records only for nodes the inventory assigns to the posting gateway (uplink.md §2), so the nodes of
/// <see cref="Records"/> are assigned to it, and <see cref="AssignNodeAsync"/> adds more.</summary>
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
        await Server.App.Services.GetRequiredService<InventoryService>().PutSiteAsync("installer", Records.Site, new SiteRequest("Igoumenitsa", null));
        foreach (var node in new[] { "sl-0001", "sl-0002", "sl-0003", "sl-0004" }) await AssignNodeAsync(node, "streetlight");
        await AssignNodeAsync("wl-0003", "waterlevel");
    }

    /// <summary>Puts <paramref name="node"/> in the inventory, assigned to this gateway.</summary>
    public Task AssignNodeAsync(string node, string type) =>
        Server.App.Services.GetRequiredService<InventoryService>().PutNodeAsync("installer", node,
            new NodeRequest(Records.Site, type, Gateway, null, null, null, null, null, null, null, null, null));

    public async Task DisposeAsync() => await Server.DisposeAsync();
}
