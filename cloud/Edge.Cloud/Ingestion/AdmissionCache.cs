using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using Edge.Cloud.Domain;
using Edge.Cloud.Storage.Migrations;

namespace Edge.Cloud.Ingestion;

/// <summary>
/// The inventory rows admission has read (<see cref="RecordAdmission"/>: a node's site, gateway, removal and successor),
/// kept while the inventory's version (<c>inventory_version</c>, bumped by triggers on every change of <c>nodes</c>'
/// site, gateway or removal and of <c>node_replacements</c>, whichever process makes it) stays what it was when they were
/// read. Each batch reads the version once: a batch of known nodes then costs one one-row query instead of reading its
/// ~500 nodes, and a change made by any cloud process on the same database reaches the next batch of every process.
/// </summary>
public sealed class AdmissionCache
{
    /// <summary>More nodes than a region has: past it the cache starts again rather than grow without bound.</summary>
    private const int MaxNodes = 200_000;

    private readonly object _lock = new();
    private readonly Dictionary<string, NodeAssignment?> _nodes = new(StringComparer.Ordinal);
    private long _version = -1;

    /// <summary>Nodes held now (for tests).</summary>
    internal int Count
    {
        get
        {
            lock (_lock) return _nodes.Count;
        }
    }

    /// <summary>The inventory's version now; read before the rows it may be used for.</summary>
    public static async Task<long> VersionAsync(Tx tx) =>
        await tx.LongAsync("SELECT version FROM inventory_version WHERE id = 1") ?? throw new InvalidOperationException("inventory_version has no row (migration 171)");

    /// <summary>The rows of <paramref name="ids"/> known at <paramref name="version"/> (a null row: not in the inventory),
    /// and the ids not known. A newer version drops everything kept.</summary>
    public (Dictionary<string, NodeAssignment> Rows, List<string> Missing) Find(long version, IEnumerable<string> ids)
    {
        var rows = new Dictionary<string, NodeAssignment>(StringComparer.Ordinal);
        var missing = new List<string>();
        lock (_lock)
        {
            if (version != _version)
            {
                _nodes.Clear();
                _version = version;
            }
            foreach (var id in ids)
            {
                if (!_nodes.TryGetValue(id, out var row)) missing.Add(id);
                else if (row is not null) rows[id] = row;
            }
        }
        return (rows, missing);
    }

    /// <summary>Keeps <paramref name="asked"/>'s rows as read after <paramref name="version"/> was (rows at least that new:
    /// if they are newer, the version has moved too and the next batch drops them).</summary>
    public void Keep(long version, IEnumerable<string> asked, IReadOnlyDictionary<string, NodeAssignment> rows)
    {
        lock (_lock)
        {
            if (version != _version) return;
            if (_nodes.Count > MaxNodes) _nodes.Clear();
            foreach (var id in asked) _nodes[id] = rows.GetValueOrDefault(id);
        }
    }
}

/// <summary>The <c>inventory_version</c> row and the triggers that bump it (171): what <see cref="AdmissionCache"/> checks.</summary>
public sealed class InventoryVersionSchema : IMigrationSource
{
    private const string Sqlite = """
        CREATE TABLE inventory_version (id INTEGER PRIMARY KEY, version BIGINT NOT NULL);
        INSERT INTO inventory_version (id, version) VALUES (1, 0);
        CREATE TRIGGER nodes_insert_version AFTER INSERT ON nodes BEGIN UPDATE inventory_version SET version = version + 1 WHERE id = 1; END;
        CREATE TRIGGER nodes_update_version AFTER UPDATE OF id, site, gateway, removed ON nodes BEGIN UPDATE inventory_version SET version = version + 1 WHERE id = 1; END;
        CREATE TRIGGER nodes_delete_version AFTER DELETE ON nodes BEGIN UPDATE inventory_version SET version = version + 1 WHERE id = 1; END;
        CREATE TRIGGER node_replacements_insert_version AFTER INSERT ON node_replacements BEGIN UPDATE inventory_version SET version = version + 1 WHERE id = 1; END;
        CREATE TRIGGER node_replacements_update_version AFTER UPDATE ON node_replacements BEGIN UPDATE inventory_version SET version = version + 1 WHERE id = 1; END;
        CREATE TRIGGER node_replacements_delete_version AFTER DELETE ON node_replacements BEGIN UPDATE inventory_version SET version = version + 1 WHERE id = 1; END;
        """;

    private const string Postgres = """
        CREATE TABLE inventory_version (id INTEGER PRIMARY KEY, version BIGINT NOT NULL);
        INSERT INTO inventory_version (id, version) VALUES (1, 0);
        CREATE FUNCTION bump_inventory_version() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          UPDATE inventory_version SET version = version + 1 WHERE id = 1;
          RETURN NULL;
        END $$;
        CREATE TRIGGER nodes_version AFTER INSERT OR DELETE OR UPDATE OF id, site, gateway, removed ON nodes
          FOR EACH STATEMENT EXECUTE FUNCTION bump_inventory_version();
        CREATE TRIGGER nodes_truncate_version AFTER TRUNCATE ON nodes FOR EACH STATEMENT EXECUTE FUNCTION bump_inventory_version();
        CREATE TRIGGER node_replacements_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON node_replacements
          FOR EACH STATEMENT EXECUTE FUNCTION bump_inventory_version();
        """;

    public IEnumerable<Migration> Migrations { get; } = [new Migration(171, "inventory version for admission's cache", Sqlite, Postgres)];
}
