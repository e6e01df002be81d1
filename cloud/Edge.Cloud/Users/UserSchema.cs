using System.Collections.Generic;
using Edge.Cloud.Storage.Migrations;

namespace Edge.Cloud.Users;

/// <summary>Users, their API tokens (hashed) and the audit log (versions 200–299).</summary>
public sealed class UserSchema : IMigrationSource
{
    private const string Common = """
        CREATE TABLE users (
          name TEXT PRIMARY KEY,
          role TEXT NOT NULL,
          password_hash TEXT NOT NULL,
          created_at BIGINT NOT NULL
        );
        CREATE TABLE api_tokens (
          token_hash TEXT PRIMARY KEY,
          user_name TEXT NOT NULL REFERENCES users (name) ON DELETE CASCADE,
          name TEXT NOT NULL,
          created_at BIGINT NOT NULL
        );
        CREATE INDEX api_tokens_user ON api_tokens (user_name);
        """;

    public IEnumerable<Migration> Migrations { get; } = new[]
    {
        new Migration(200, "users and api tokens", Common, Common),
        new Migration(201, "audit log",
            Sqlite: """
                CREATE TABLE audit (
                  id INTEGER PRIMARY KEY AUTOINCREMENT,
                  at BIGINT NOT NULL,
                  actor TEXT NOT NULL,
                  action TEXT NOT NULL,
                  target TEXT NOT NULL,
                  detail TEXT NULL
                );
                CREATE INDEX audit_target ON audit (target, id);
                """,
            Postgres: """
                CREATE TABLE audit (
                  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                  at BIGINT NOT NULL,
                  actor TEXT NOT NULL,
                  action TEXT NOT NULL,
                  target TEXT NOT NULL,
                  detail TEXT NULL
                );
                CREATE INDEX audit_target ON audit (target, id);
                """),
    };
}
