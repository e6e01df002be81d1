using System;
using Microsoft.Data.Sqlite;

namespace Edge.Gateway.Registry;

/// <summary>Opens the gateway's SQLite files the same way everywhere: WAL journal, a busy timeout, foreign keys on.</summary>
public static class SqliteDatabase
{
    public static SqliteConnection Open(string path, string synchronous = "FULL")
    {
        if (synchronous != "FULL" && synchronous != "NORMAL")
        {
            throw new ArgumentException($"synchronous must be FULL or NORMAL, not '{synchronous}'");
        }
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
        }.ToString());
        connection.Open();
        Execute(connection, "PRAGMA journal_mode=WAL;");
        Execute(connection, $"PRAGMA synchronous={synchronous};");
        Execute(connection, "PRAGMA busy_timeout=10000;");
        Execute(connection, "PRAGMA foreign_keys=ON;");
        return connection;
    }

    public static void Execute(SqliteConnection connection, string sql, SqliteTransaction? transaction = null)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        command.ExecuteNonQuery();
    }
}
