using System.Collections.Generic;

namespace Edge.Cloud.Storage.Migrations;

/// <summary>
/// One schema step, written once per provider. Versions are global across all sources and applied in
/// ascending order; an applied version is never run again, so a released migration is never edited —
/// add a new one. Ranges: 1–99 storage/ingestion/gateways, 100–199 domain, 200–299 users/audit.
/// </summary>
public sealed record Migration(int Version, string Name, string Sqlite, string Postgres)
{
    public string SqlFor(StorageKind kind) => kind == StorageKind.Postgres ? Postgres : Sqlite;
}

/// <summary>A concept's migrations. Register an implementation as a singleton
/// (<c>services.AddSingleton&lt;IMigrationSource, MyMigrations&gt;()</c>) and the startup
/// <see cref="Migrator"/> applies them with everyone else's.</summary>
public interface IMigrationSource
{
    IEnumerable<Migration> Migrations { get; }
}
