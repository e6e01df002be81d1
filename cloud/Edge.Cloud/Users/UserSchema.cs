using System.Collections.Generic;
using Edge.Cloud.Storage.Migrations;

namespace Edge.Cloud.Users;

/// <summary>Users, their API tokens (hashed), login failures and the audit log (versions 200–299).</summary>
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

    // Session stamps (a password or role change ends the user's sessions), token expiry (existing tokens get
    // the longest lifetime, counted from their creation) and last use, and the per-name login failure counter
    // (in the database, so a restart does not unlock a name).
    private const string Accounts = """
        ALTER TABLE users ADD COLUMN security_stamp TEXT NOT NULL DEFAULT '';
        ALTER TABLE api_tokens ADD COLUMN expires_at BIGINT NOT NULL DEFAULT 0;
        ALTER TABLE api_tokens ADD COLUMN last_used_at BIGINT NULL;
        UPDATE api_tokens SET expires_at = created_at + 365 * 86400;
        CREATE TABLE login_failures (
          name TEXT PRIMARY KEY,
          failures INTEGER NOT NULL,
          last_failure_at BIGINT NOT NULL,
          locked_until BIGINT NULL
        );
        """;

    private const string Disabled = "ALTER TABLE users ADD COLUMN disabled_at BIGINT NULL;";

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
        new Migration(202, "session stamps, token expiry and last use, login failures", Accounts, Accounts),
        // A disabled user keeps their name, role and audit trail but cannot sign in or use a token.
        new Migration(203, "disabled users", Disabled, Disabled),
    };
}
