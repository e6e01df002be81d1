using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Edge.Gateway.Registry;

/// <summary>
/// Nodes and their hashed credentials, in SQLite (gateway.db), mirrored in memory for the broker's hot paths
/// (CONNECT validation and the ACL look the node up on every packet). Writes go to the database first, then to
/// the cache, under one lock: registry changes are rare (provisioning, births, wills).
/// Last-seen times change with every message, so they live in memory and are flushed every few seconds
/// (<see cref="FlushLastSeen"/>): losing a few seconds of "last seen" in a crash is harmless.
/// </summary>
public sealed class NodeRegistry : IDisposable
{
    readonly SqliteConnection _db;
    readonly object _lock = new();
    readonly ConcurrentDictionary<string, NodeRecord> _nodes = new(StringComparer.Ordinal);
    readonly ConcurrentDictionary<string, string> _secretHashes = new(StringComparer.Ordinal);
    readonly ConcurrentDictionary<string, long> _lastSeen = new(StringComparer.Ordinal);
    // The boot of each node's birth on its current connection: the next `online` of the same boot is a heartbeat.
    readonly ConcurrentDictionary<string, long> _bornBoot = new(StringComparer.Ordinal);
    readonly int _hashIterations;
    readonly ILogger _logger;

    public NodeRegistry(string databasePath, int hashIterations, ILogger<NodeRegistry> logger)
    {
        _hashIterations = hashIterations;
        _logger = logger;
        _db = SqliteDatabase.Open(databasePath);
        SqliteDatabase.Execute(_db, """
            CREATE TABLE IF NOT EXISTS nodes (
              node_id TEXT PRIMARY KEY,
              site TEXT NOT NULL,
              type TEXT NOT NULL,
              location TEXT,
              zone TEXT,
              secret_hash TEXT NOT NULL,
              created_ms INTEGER NOT NULL,
              fw TEXT,
              hw TEXT,
              config_version INTEGER,
              display_version INTEGER,
              status TEXT NOT NULL DEFAULT 'unknown',
              status_reason TEXT,
              wake_ts INTEGER,
              last_seen_ms INTEGER
            );
            """);
        AddBrokerHashColumn();
        Load();
    }

    /// <summary>Raised after any change of a node's record (status, connection, provisioning).</summary>
    public event Action<NodeRecord>? Changed;

    /// <summary>Nodes with an open connection: counted as they connect and leave, not by a walk over every node (the
    /// gauge, the health report and the memory reclaimer read it).</summary>
    public int ConnectedCount => Volatile.Read(ref _connectedNow);

    // Connected nodes as counted by SetConnected (and Remove), and their most since TakePeakConnected last ran (under _lock).
    int _connectedNow;
    int _peakConnected;

    /// <summary>
    /// The most nodes connected at once since the last call (or since start), and from now on counted again from
    /// those connected now: a wave of nodes that came and went between two looks at <see cref="ConnectedCount"/> still shows.
    /// </summary>
    public int TakePeakConnected()
    {
        lock (_lock)
        {
            var peak = _peakConnected;
            _peakConnected = _connectedNow;
            return peak;
        }
    }

    public NodeRecord? Find(string nodeId) => _nodes.TryGetValue(nodeId, out var node) ? WithLastSeen(node) : null;

    public IReadOnlyList<NodeRecord> List() => _nodes.Values.Select(WithLastSeen).OrderBy(n => n.NodeId, StringComparer.Ordinal).ToList();

    /// <summary>Provisions a node; returns its new secret (shown once, never stored in clear).</summary>
    public string Add(NodeRegistration registration)
    {
        if (!NodeIds.IsValidId(registration.NodeId)) throw new ArgumentException($"nodeId '{registration.NodeId}' does not match ^[a-z0-9][a-z0-9-]{{0,31}}$ (protocol.md §2.1)");
        if (!NodeIds.IsValidId(registration.Site)) throw new ArgumentException($"site '{registration.Site}' does not match ^[a-z0-9][a-z0-9-]{{0,31}}$ (protocol.md §2.1)");
        if (!NodeIds.IsValidType(registration.Type)) throw new ArgumentException($"type '{registration.Type}' is not one of streetlight, waterlevel, busstop");
        var secret = SecretHasher.NewSecret();
        var hash = SecretHasher.Hash(secret, _hashIterations);
        var brokerHash = MosquittoPasswordHash.Hash(secret, _hashIterations);
        lock (_lock)
        {
            if (_nodes.ContainsKey(registration.NodeId)) throw new InvalidOperationException($"node {registration.NodeId} is already registered");
            using var command = _db.CreateCommand();
            command.CommandText = "INSERT INTO nodes (node_id, site, type, location, zone, secret_hash, broker_hash, created_ms) VALUES ($id, $site, $type, $location, $zone, $hash, $brokerHash, $now)";
            command.Parameters.AddWithValue("$brokerHash", brokerHash);
            command.Parameters.AddWithValue("$id", registration.NodeId);
            command.Parameters.AddWithValue("$site", registration.Site);
            command.Parameters.AddWithValue("$type", registration.Type);
            command.Parameters.AddWithValue("$location", (object?)registration.Location ?? DBNull.Value);
            command.Parameters.AddWithValue("$zone", (object?)registration.Zone ?? DBNull.Value);
            command.Parameters.AddWithValue("$hash", hash);
            command.Parameters.AddWithValue("$now", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            command.ExecuteNonQuery();
            var node = new NodeRecord(registration.NodeId, registration.Site, registration.Type, registration.Location, registration.Zone,
                null, null, null, null, NodeStatus.Unknown, null, null, null, false);
            _nodes[node.NodeId] = node;
            _secretHashes[node.NodeId] = hash;
            Changed?.Invoke(node);
        }
        _logger.LogInformation("Node {NodeId} provisioned at site {Site} as {Type}", registration.NodeId, registration.Site, registration.Type);
        return secret;
    }

    /// <summary>
    /// Provisions or updates a node from the cloud's desired state (docs/uplink.md §3 <c>nodes</c>): the credential
    /// arrives as a hash only (the format <see cref="SecretHasher"/> writes). Status and versions of an existing node are kept.
    /// </summary>
    public void UpsertFromCloud(NodeRegistration registration, string secretHash)
    {
        if (!NodeIds.IsValidId(registration.NodeId)) throw new ArgumentException($"nodeId '{registration.NodeId}' does not match ^[a-z0-9][a-z0-9-]{{0,31}}$ (protocol.md §2.1)");
        if (!NodeIds.IsValidId(registration.Site)) throw new ArgumentException($"site '{registration.Site}' does not match ^[a-z0-9][a-z0-9-]{{0,31}}$ (protocol.md §2.1)");
        if (!NodeIds.IsValidType(registration.Type)) throw new ArgumentException($"type '{registration.Type}' is not one of streetlight, waterlevel, busstop");
        if (!secretHash.StartsWith("pbkdf2-sha256$", StringComparison.Ordinal) || secretHash.Split('$').Length != 4) throw new ArgumentException("secretHash is not pbkdf2-sha256$iterations$salt$hash");
        NodeRecord node;
        lock (_lock)
        {
            using var command = _db.CreateCommand();
            command.CommandText = """
                INSERT INTO nodes (node_id, site, type, location, zone, secret_hash, created_ms) VALUES ($id, $site, $type, $location, $zone, $hash, $now)
                ON CONFLICT (node_id) DO UPDATE SET site = excluded.site, type = excluded.type, zone = excluded.zone, secret_hash = excluded.secret_hash,
                  location = COALESCE(excluded.location, nodes.location),
                  broker_hash = CASE WHEN nodes.secret_hash = excluded.secret_hash THEN nodes.broker_hash END
                """;
            command.Parameters.AddWithValue("$id", registration.NodeId);
            command.Parameters.AddWithValue("$site", registration.Site);
            command.Parameters.AddWithValue("$type", registration.Type);
            command.Parameters.AddWithValue("$location", (object?)registration.Location ?? DBNull.Value);
            command.Parameters.AddWithValue("$zone", (object?)registration.Zone ?? DBNull.Value);
            command.Parameters.AddWithValue("$hash", secretHash);
            command.Parameters.AddWithValue("$now", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            command.ExecuteNonQuery();
            node = _nodes.TryGetValue(registration.NodeId, out var existing)
                ? existing with { Site = registration.Site, Type = registration.Type, Zone = registration.Zone, Location = registration.Location ?? existing.Location }
                : new NodeRecord(registration.NodeId, registration.Site, registration.Type, registration.Location, registration.Zone,
                    null, null, null, null, NodeStatus.Unknown, null, null, null, false);
            _nodes[node.NodeId] = node;
            _secretHashes[node.NodeId] = secretHash;
            Changed?.Invoke(node);
        }
    }

    public bool Remove(string nodeId)
    {
        lock (_lock)
        {
            using var command = _db.CreateCommand();
            command.CommandText = "DELETE FROM nodes WHERE node_id = $id";
            command.Parameters.AddWithValue("$id", nodeId);
            var removed = command.ExecuteNonQuery() > 0;
            if (_nodes.TryRemove(nodeId, out var gone) && gone.Connected) _connectedNow--;
            _secretHashes.TryRemove(nodeId, out _);
            _lastSeen.TryRemove(nodeId, out _);
            if (removed) _logger.LogInformation("Node {NodeId} removed", nodeId);
            return removed;
        }
    }

    /// <summary>Replaces a node's secret; the old one stops working at the node's next CONNECT.</summary>
    public string RotateSecret(string nodeId)
    {
        var secret = SecretHasher.NewSecret();
        var hash = SecretHasher.Hash(secret, _hashIterations);
        var brokerHash = MosquittoPasswordHash.Hash(secret, _hashIterations);
        lock (_lock)
        {
            using var command = _db.CreateCommand();
            command.CommandText = "UPDATE nodes SET secret_hash = $hash, broker_hash = $brokerHash WHERE node_id = $id";
            command.Parameters.AddWithValue("$brokerHash", brokerHash);
            command.Parameters.AddWithValue("$id", nodeId);
            command.Parameters.AddWithValue("$hash", hash);
            if (command.ExecuteNonQuery() == 0) throw new KeyNotFoundException($"node {nodeId} is not registered");
            _secretHashes[nodeId] = hash;
        }
        _logger.LogInformation("Secret of node {NodeId} rotated", nodeId);
        return secret;
    }

    /// <summary>CONNECT check of protocol.md §2.2: client id = user name = a registered node id, and its secret.</summary>
    public AuthenticationResult Authenticate(string? clientId, string? userName, string? password)
    {
        if (string.IsNullOrEmpty(clientId) || clientId != userName) return AuthenticationResult.Fail("client_id_mismatch");
        if (!_nodes.TryGetValue(clientId, out var node) || !_secretHashes.TryGetValue(clientId, out var hash)) return AuthenticationResult.Fail("unknown_node");
        if (string.IsNullOrEmpty(password) || !SecretHasher.Verify(password, hash)) return AuthenticationResult.Fail("bad_secret");
        return new AuthenticationResult(node, null);
    }

    public void SetConnected(string nodeId, bool connected)
    {
        lock (_lock)
        {
            if (!_nodes.TryGetValue(nodeId, out var node)) return;
            // A connection that starts or ends (an embedded-broker connect is always a new one, takeovers too): the
            // node's next `online` is a birth again.
            _bornBoot.TryRemove(nodeId, out _);
            if (node.Connected != connected)
            {
                _connectedNow += connected ? 1 : -1;
                _peakConnected = Math.Max(_peakConnected, _connectedNow);
            }
            node = node with { Connected = connected };
            _nodes[nodeId] = node;
            Touch(nodeId);
            Changed?.Invoke(node);
        }
    }

    public void Touch(string nodeId) => _lastSeen[nodeId] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    /// <summary>
    /// Applies a <c>state</c> message (birth, heartbeat, planned offline, asleep, or the will; protocol.md §8) and says
    /// whether it is a birth: the first <c>online</c> of a connection (after a connect, an <c>offline</c> or <c>asleep</c>,
    /// or a gateway start) or of a new <c>boot</c>. Every other <c>online</c> is a heartbeat (§4.2: every
    /// <c>stateS</c>, and whenever the applied config or display changes), which asks for no time or re-sends.
    /// </summary>
    public bool ApplyState(string nodeId, NodeStateReport state)
    {
        lock (_lock)
        {
            if (!_nodes.TryGetValue(nodeId, out var node)) return false;
            var boot = state.Boot ?? -1;
            var birth = state.Status == NodeStatus.Online && !(_bornBoot.TryGetValue(nodeId, out var born) && born == boot);
            // The will carries only status and reason (§8.3): keep what the birth told us for the rest.
            node = node with
            {
                Status = state.Status,
                StatusReason = state.Reason,
                Type = state.Type ?? node.Type,
                Firmware = state.Firmware ?? node.Firmware,
                Hardware = state.Hardware ?? node.Hardware,
                ConfigVersion = state.ConfigVersion ?? node.ConfigVersion,
                DisplayVersion = state.DisplayVersion ?? node.DisplayVersion,
                WakeTs = state.Status == NodeStatus.Asleep ? state.WakeTs : null,
            };
            using var command = _db.CreateCommand();
            command.CommandText = """
                UPDATE nodes SET status = $status, status_reason = $reason, type = $type, fw = $fw, hw = $hw,
                  config_version = $cv, display_version = $dv, wake_ts = $wake, last_seen_ms = $seen WHERE node_id = $id
                """;
            command.Parameters.AddWithValue("$id", nodeId);
            command.Parameters.AddWithValue("$status", node.Status.ToString().ToLowerInvariant());
            command.Parameters.AddWithValue("$reason", (object?)node.StatusReason ?? DBNull.Value);
            command.Parameters.AddWithValue("$type", node.Type);
            command.Parameters.AddWithValue("$fw", (object?)node.Firmware ?? DBNull.Value);
            command.Parameters.AddWithValue("$hw", (object?)node.Hardware ?? DBNull.Value);
            command.Parameters.AddWithValue("$cv", (object?)node.ConfigVersion ?? DBNull.Value);
            command.Parameters.AddWithValue("$dv", (object?)node.DisplayVersion ?? DBNull.Value);
            command.Parameters.AddWithValue("$wake", (object?)node.WakeTs ?? DBNull.Value);
            command.Parameters.AddWithValue("$seen", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            command.ExecuteNonQuery();
            _nodes[nodeId] = node;
            Touch(nodeId);
            Changed?.Invoke(node); // may set Connected (external broker), which forgets the birth: record it after
            if (state.Status == NodeStatus.Online) _bornBoot[nodeId] = boot;
            else _bornBoot.TryRemove(nodeId, out _);
            return birth;
        }
    }

    /// <summary>Writes the in-memory last-seen times to the database (called periodically and at shutdown).</summary>
    public void FlushLastSeen()
    {
        lock (_lock)
        {
            using var transaction = _db.BeginTransaction();
            using var command = _db.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "UPDATE nodes SET last_seen_ms = $seen WHERE node_id = $id";
            var id = command.Parameters.Add("$id", SqliteType.Text);
            var seen = command.Parameters.Add("$seen", SqliteType.Integer);
            foreach (var (nodeId, ms) in _lastSeen)
            {
                id.Value = nodeId;
                seen.Value = ms;
                command.ExecuteNonQuery();
            }
            transaction.Commit();
        }
    }

    /// <summary>
    /// Every node with its Mosquitto-format password hash (<see cref="MosquittoPasswordHash"/>), for the external
    /// broker's password file. Null for a node whose secret the gateway never saw (provisioned by the cloud with a
    /// hash only, or before this column existed): rotate its secret here to give it one.
    /// </summary>
    public IReadOnlyList<(NodeRecord Node, string? BrokerHash)> BrokerAccounts()
    {
        var hashes = new Dictionary<string, string?>(StringComparer.Ordinal);
        lock (_lock)
        {
            using var command = _db.CreateCommand();
            command.CommandText = "SELECT node_id, broker_hash FROM nodes";
            using var reader = command.ExecuteReader();
            while (reader.Read()) hashes[reader.GetString(0)] = reader.IsDBNull(1) ? null : reader.GetString(1);
        }
        return List().Select(n => (n, hashes.GetValueOrDefault(n.NodeId))).ToList();
    }

    /// <summary>Databases created before the external-broker option lack broker_hash: add it (NULL for existing nodes).</summary>
    void AddBrokerHashColumn()
    {
        using var command = _db.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM pragma_table_info('nodes') WHERE name = 'broker_hash'";
        if (Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) == 0)
        {
            SqliteDatabase.Execute(_db, "ALTER TABLE nodes ADD COLUMN broker_hash TEXT");
        }
    }

    NodeRecord WithLastSeen(NodeRecord node) => _lastSeen.TryGetValue(node.NodeId, out var ms) ? node with { LastSeenUnixMs = ms } : node;

    void Load()
    {
        using var command = _db.CreateCommand();
        command.CommandText = "SELECT node_id, site, type, location, zone, secret_hash, fw, hw, config_version, display_version, status, status_reason, wake_ts, last_seen_ms FROM nodes";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var node = new NodeRecord(
                reader.GetString(0), reader.GetString(1), reader.GetString(2),
                reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetString(4),
                reader.IsDBNull(6) ? null : reader.GetString(6),
                reader.IsDBNull(7) ? null : reader.GetString(7),
                reader.IsDBNull(8) ? null : reader.GetInt64(8),
                reader.IsDBNull(9) ? null : reader.GetInt64(9),
                Enum.TryParse<NodeStatus>(reader.GetString(10), ignoreCase: true, out var status) ? status : NodeStatus.Unknown,
                reader.IsDBNull(11) ? null : reader.GetString(11),
                reader.IsDBNull(12) ? null : reader.GetInt64(12),
                reader.IsDBNull(13) ? null : reader.GetInt64(13),
                Connected: false);
            _nodes[node.NodeId] = node;
            _secretHashes[node.NodeId] = reader.GetString(5);
            if (node.LastSeenUnixMs is { } seen) _lastSeen[node.NodeId] = seen;
        }
    }

    public void Dispose()
    {
        try { FlushLastSeen(); } catch (SqliteException) { }
        _db.Dispose();
    }
}

public sealed record AuthenticationResult(NodeRecord? Node, string? FailureReason)
{
    public static AuthenticationResult Fail(string reason) => new(null, reason);
    public bool Succeeded => Node is not null;
}
