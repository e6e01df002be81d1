using System.Collections.Generic;

namespace Edge.Cloud.Storage;

/// <summary>The <c>node_state</c> change of one node from one stored batch.</summary>
public sealed record NodeStateRow(string Site, string Node, string Gateway, long LastSeen, NodeStateUpdate? LatestState, long? StateAt, string? Type);

/// <summary>
/// Collapses stored records to one <c>node_state</c> upsert per node (5,000 records from 300 nodes cost 300 row
/// writes, not 5,000), and holds the upsert SQL both providers share (<see cref="NodeStateFeed"/>).
/// </summary>
/// <remarks>The rows come out ordered by (site, node), ordinal: every transaction then locks the
/// <c>node_state</c> rows it touches in the same global order, so two concurrent appliers over the same nodes
/// wait for each other instead of deadlocking (PostgreSQL; SQLite has one writer anyway).</remarks>
public static class NodeStateRows
{
    /// <summary>Records must be in gateway order (seq ascending): the last <c>state</c> of a node wins.</summary>
    public static IReadOnlyList<NodeStateRow> Collapse(IEnumerable<IngestRecord> stored)
    {
        var byNode = new Dictionary<(string Site, string Node), NodeStateRow>();
        var order = new List<(string Site, string Node)>();
        foreach (var record in stored)
        {
            if (record.Node is null || record.State is null) continue;
            var key = (record.Site, record.Node);
            var update = record.State;
            var isState = update.Status is not null;
            if (!byNode.TryGetValue(key, out var row))
            {
                order.Add(key);
                byNode[key] = new NodeStateRow(record.Site, record.Node, record.Gateway, update.SeenAt,
                    isState ? update : null, isState ? record.ReceivedAt : null, update.Type);
                continue;
            }
            byNode[key] = row with
            {
                Gateway = record.Gateway,
                LastSeen = update.SeenAt > row.LastSeen ? update.SeenAt : row.LastSeen,
                LatestState = isState ? update : row.LatestState,
                StateAt = isState ? record.ReceivedAt : row.StateAt,
                Type = update.Type ?? row.Type,
            };
        }
        order.Sort((a, b) =>
        {
            var bySite = string.CompareOrdinal(a.Site, b.Site);
            return bySite != 0 ? bySite : string.CompareOrdinal(a.Node, b.Node);
        });
        var rows = new List<NodeStateRow>(order.Count);
        foreach (var key in order) rows.Add(byNode[key]);
        return rows;
    }

    /// <summary>
    /// Upsert of one row that never moves anything backwards: <c>last_seen</c> only grows, and the status fields
    /// change only for a state at least as new (gateway receive time) as the stored one. Null versions keep the
    /// stored value. A row the update would not change is not rewritten (no new row version, on PostgreSQL no
    /// dead tuple): a record applied again changes nothing. <paramref name="json"/> wraps the JSON parameter.
    /// </summary>
    public static string UpsertSql(string json) => Upsert(
        $"VALUES (@site, @node, @gateway, @last_seen, @type, @status, @online, @config_version, @display_version, @fw, @state_at, {json})");

    /// <summary>
    /// The same upsert for all rows of a batch in one PostgreSQL statement: one array parameter per column
    /// (<c>@site</c> text[] … <c>@state</c> text[] of JSON), unnested in the given (site, node) order, so a batch
    /// from 500 nodes costs one statement instead of 500. The rows must be distinct per node
    /// (<see cref="Collapse"/>): one statement cannot update a row twice.
    /// </summary>
    public static string UpsertUnnestSql() => Upsert("""
        SELECT site, node, gateway, last_seen, type, status, online, config_version, display_version, fw, state_at, CAST(state AS JSONB)
        FROM unnest(@site, @node, @gateway, @last_seen, @type, @status, @online, @config_version, @display_version, @fw, @state_at, @state)
          WITH ORDINALITY AS r (site, node, gateway, last_seen, type, status, online, config_version, display_version, fw, state_at, state, ord)
        ORDER BY ord
        """);

    private static string Upsert(string source)
    {
        const string newer = "(excluded.state_at IS NOT NULL AND (node_state.state_at IS NULL OR excluded.state_at >= node_state.state_at))";
        return $"""
            INSERT INTO node_state (site, node, gateway, last_seen, type, status, online, config_version, display_version, fw, state_at, state)
            {source}
            ON CONFLICT (site, node) DO UPDATE SET
              gateway = excluded.gateway,
              last_seen = CASE WHEN excluded.last_seen > node_state.last_seen THEN excluded.last_seen ELSE node_state.last_seen END,
              type = COALESCE(excluded.type, node_state.type),
              status = CASE WHEN {newer} THEN excluded.status ELSE node_state.status END,
              online = CASE WHEN {newer} THEN excluded.online ELSE node_state.online END,
              config_version = CASE WHEN {newer} THEN COALESCE(excluded.config_version, node_state.config_version) ELSE node_state.config_version END,
              display_version = CASE WHEN {newer} THEN COALESCE(excluded.display_version, node_state.display_version) ELSE node_state.display_version END,
              fw = CASE WHEN {newer} THEN COALESCE(excluded.fw, node_state.fw) ELSE node_state.fw END,
              state = CASE WHEN {newer} THEN excluded.state ELSE node_state.state END,
              state_at = CASE WHEN {newer} THEN excluded.state_at ELSE node_state.state_at END
            WHERE excluded.last_seen > node_state.last_seen OR {newer} OR excluded.gateway <> node_state.gateway
              OR (excluded.type IS NOT NULL AND (node_state.type IS NULL OR excluded.type <> node_state.type))
            """;
    }
}
