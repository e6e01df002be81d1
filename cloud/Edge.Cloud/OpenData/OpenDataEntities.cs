using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Edge.Cloud.Storage;
using Microsoft.Extensions.Options;

namespace Edge.Cloud.OpenData;

/// <summary>
/// Produces the public entities of the datasets that are switched on. The town's whole inventory (a few thousand
/// nodes at most) is read per request and filtered in memory, so every filter behaves the same on SQLite and
/// PostgreSQL; answers are cached by clients through ETag/Last-Modified.
/// </summary>
public sealed class OpenDataEntities
{
    private readonly IStorageConnections _connections;
    private readonly TimeProvider _time;
    private readonly IOptionsMonitor<OpenDataOptions> _options;
    private readonly ArrivalEntities _arrivals;

    public OpenDataEntities(IStorageConnections connections, TimeProvider time, IOptionsMonitor<OpenDataOptions> options, ArrivalEntities arrivals)
    {
        _arrivals = arrivals;
        _connections = connections;
        _time = time;
        _options = options;
    }

    public OpenDataOptions Options => _options.CurrentValue;

    public long Now => _time.GetUtcNow().ToUnixTimeSeconds();

    /// <summary>The entity types served now: those of the datasets switched on.</summary>
    public IReadOnlyList<string> ServedTypes => OpenDatasets.All.Where(d => Options.IsOn(d.Id)).SelectMany(d => d.EntityTypes).ToList();

    /// <summary>The entities of <paramref name="types"/> (all served types when null), ordered by id.</summary>
    public async Task<List<NgsiEntity>> EntitiesAsync(IReadOnlyCollection<string>? types, CancellationToken ct)
    {
        var wanted = (types ?? ServedTypes).Where(ServedTypes.Contains).ToHashSet();
        if (wanted.Count == 0) return new List<NgsiEntity>();
        var snapshot = await OpenDataSnapshot.ReadAsync(_connections, Now,
            wanted.Contains(StreetlightEntities.Type) || wanted.Contains(StreetlightEntities.GroupType), ct);
        var provider = Options.Publisher;
        var entities = new List<NgsiEntity>();
        void Add(string type, Func<OpenDataSnapshot, string, IEnumerable<NgsiEntity>> build)
        {
            if (wanted.Contains(type)) entities.AddRange(build(snapshot, provider));
        }
        Add(StreetlightEntities.Type, StreetlightEntities.Lights);
        Add(StreetlightEntities.GroupType, StreetlightEntities.Groups);
        Add(WaterEntities.ObservedType, WaterEntities.Observed);
        Add(WaterEntities.FloodType, WaterEntities.Flood);
        Add(DeviceEntities.Type, DeviceEntities.Devices);
        if (wanted.Contains(ArrivalEntities.Type)) entities.AddRange(await _arrivals.EntitiesAsync(snapshot, provider, ct));
        entities.Sort((a, b) => string.CompareOrdinal(a.Id, b.Id));
        return entities;
    }

    /// <summary>The entity with <paramref name="id"/>, or <c>ResourceNotFound</c> (also for a switched-off dataset).</summary>
    public async Task<NgsiEntity> EntityAsync(string id, CancellationToken ct)
    {
        var type = TypeOf(id);
        var entity = type is null ? null : (await EntitiesAsync([type], ct)).FirstOrDefault(e => e.Id == id);
        return entity ?? throw NgsiProblem.NotFound($"entity '{id}' does not exist here");
    }

    /// <summary>The type part of <c>urn:ngsi-ld:{Type}:{id}</c>, if it is a served type.</summary>
    public string? TypeOf(string id)
    {
        const string prefix = "urn:ngsi-ld:";
        if (!id.StartsWith(prefix, StringComparison.Ordinal)) return null;
        var end = id.IndexOf(':', prefix.Length);
        var type = end < 0 ? null : id[prefix.Length..end];
        return type is not null && ServedTypes.Contains(type) ? type : null;
    }
}
