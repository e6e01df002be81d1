using System.Data.Common;
using System.Threading;
using System.Threading.Tasks;

namespace Edge.Cloud.Storage;

/// <summary>
/// Opens connections to the configured database. Every store opens one per operation (both providers pool),
/// so stores stay stateless and thread-safe. SQL written against it must run on both providers: use
/// <c>@name</c> parameters, <c>INSERT … ON CONFLICT</c> (SQLite ≥ 3.24 and PostgreSQL both have it) and
/// <c>CASE</c> instead of <c>MAX(a, b)</c>/<c>GREATEST</c>.
/// </summary>
public interface IStorageConnections
{
    StorageKind Kind { get; }

    /// <summary>An open connection; the caller disposes it.</summary>
    Task<DbConnection> OpenAsync(CancellationToken cancellationToken = default);
}
