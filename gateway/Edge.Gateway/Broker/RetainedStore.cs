using System;
using System.Buffers;
using System.Collections.Generic;
using Edge.Gateway.Registry;
using Microsoft.Data.Sqlite;
using MQTTnet;
using MQTTnet.Protocol;

namespace Edge.Gateway.Broker;

/// <summary>
/// Retained messages (config, display, state) persisted in gateway.db, so a restarted gateway serves every node
/// its config and display at once, even without uplink (protocol.md §9, §11, §16.3). MQTTnet calls
/// <see cref="Load"/> at start (LoadingRetainedMessageAsync) and <see cref="Save"/> on every change
/// (RetainedMessageChangedAsync, awaited before the publisher's PUBACK / before InjectApplicationMessage returns).
/// </summary>
public sealed class RetainedStore : IDisposable
{
    readonly SqliteConnection _db;
    readonly object _lock = new();

    public RetainedStore(string databasePath)
    {
        _db = SqliteDatabase.Open(databasePath);
        SqliteDatabase.Execute(_db, "CREATE TABLE IF NOT EXISTS retained (topic TEXT PRIMARY KEY, payload BLOB NOT NULL, qos INTEGER NOT NULL, updated_ms INTEGER NOT NULL)");
    }

    public List<MqttApplicationMessage> Load()
    {
        var messages = new List<MqttApplicationMessage>();
        lock (_lock)
        {
            using var command = _db.CreateCommand();
            command.CommandText = "SELECT topic, payload, qos FROM retained";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                messages.Add(new MqttApplicationMessage
                {
                    Topic = reader.GetString(0),
                    Payload = new ReadOnlySequence<byte>((byte[])reader.GetValue(1)),
                    QualityOfServiceLevel = (MqttQualityOfServiceLevel)reader.GetInt32(2),
                    Retain = true,
                });
            }
        }
        return messages;
    }

    /// <summary>Stores (or, for an empty payload, deletes) the retained message of one topic.</summary>
    public void Save(string topic, byte[] payload, MqttQualityOfServiceLevel qos)
    {
        lock (_lock)
        {
            using var command = _db.CreateCommand();
            if (payload.Length == 0)
            {
                command.CommandText = "DELETE FROM retained WHERE topic = $topic";
            }
            else
            {
                command.CommandText = """
                    INSERT INTO retained (topic, payload, qos, updated_ms) VALUES ($topic, $payload, $qos, $now)
                    ON CONFLICT (topic) DO UPDATE SET payload = excluded.payload, qos = excluded.qos, updated_ms = excluded.updated_ms
                    """;
                command.Parameters.AddWithValue("$payload", payload);
                command.Parameters.AddWithValue("$qos", (int)qos);
                command.Parameters.AddWithValue("$now", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            }
            command.Parameters.AddWithValue("$topic", topic);
            command.ExecuteNonQuery();
        }
    }

    public byte[]? Get(string topic)
    {
        lock (_lock)
        {
            using var command = _db.CreateCommand();
            command.CommandText = "SELECT payload FROM retained WHERE topic = $topic";
            command.Parameters.AddWithValue("$topic", topic);
            return command.ExecuteScalar() as byte[];
        }
    }

    /// <summary>Readiness probe: a write transaction can be opened and rolled back.</summary>
    public bool CanWrite()
    {
        try
        {
            lock (_lock)
            {
                SqliteDatabase.Execute(_db, "BEGIN IMMEDIATE; ROLLBACK;");
            }
            return true;
        }
        catch (SqliteException)
        {
            return false;
        }
    }

    public void Dispose() => _db.Dispose();
}
