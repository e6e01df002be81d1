namespace Edge.Cloud.Storage;

/// <summary>Which database the cloud uses. Bound from the <c>Storage</c> configuration section.</summary>
public sealed class StorageOptions
{
    public const string Section = "Storage";

    /// <summary><c>Sqlite</c> (default, zero set-up) or <c>Postgres</c>.</summary>
    public StorageKind Provider { get; set; } = StorageKind.Sqlite;

    /// <summary>Folder for the SQLite file (and anything else the cloud keeps on disk). Relative paths are
    /// resolved against the content root.</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>SQLite file name inside <see cref="DataDirectory"/>.</summary>
    public string SqliteFile { get; set; } = "edge-cloud.db";

    /// <summary>Npgsql connection string; required when <see cref="Provider"/> is <c>Postgres</c>.</summary>
    public string? PostgresConnectionString { get; set; }
}

public enum StorageKind
{
    Sqlite,
    Postgres,
}
