using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Edge.Cloud.Domain;
using Edge.Cloud.Storage;
using Edge.Cloud.Transit.Gtfs;
using Npgsql;
using NpgsqlTypes;

namespace Edge.Cloud.Transit;

/// <summary>The active feed's identity and what it holds (GET /transit/feeds).</summary>
public sealed record FeedVersion(long Feed, long ImportedAt, string ImportedBy, string Sha256, string Timezone, string? Publisher, string? FeedVersionName, JsonElement Counts);

/// <summary>One import attempt: the feed it activated, or the problems that refused it.</summary>
public sealed record FeedImport(long Id, long At, string Actor, string? Sha256, long? Feed, int ProblemCount, IReadOnlyList<GtfsProblem> Problems);

/// <summary>
/// Stores feed versions. <see cref="SaveAsync"/> writes a validated feed under a new version number, makes it
/// the active one and deletes the previous version, all in the caller's transaction: readers see the old feed
/// or the new one, never a mix.
/// </summary>
public static class GtfsStore
{
    private static readonly string[] DataTables =
        { "transit_agencies", "transit_stops", "transit_routes", "transit_trips", "transit_stop_times", "transit_calendar", "transit_calendar_dates", "transit_translations", "transit_frequencies" };

    public static async Task<long> SaveAsync(Tx tx, GtfsFeed feed, string actor, string sha256, long now)
    {
        if (tx.Kind == StorageKind.Postgres) await tx.ExecAsync("LOCK TABLE transit_feeds IN EXCLUSIVE MODE");
        var version = (await tx.LongAsync("SELECT MAX(feed) FROM transit_feeds") ?? 0) + 1;
        await InsertAsync(tx, "transit_agencies", ["agency_id", "name", "url", "timezone"], version, feed.Agencies, a => [a.Id, a.Name, a.Url, a.Timezone]);
        await InsertAsync(tx, "transit_stops", ["stop_id", "name", "parent_station", "location_type"], version, feed.Stops, s => [s.Id, s.Name, s.ParentStation, s.LocationType]);
        await InsertAsync(tx, "transit_routes", ["route_id", "agency_id", "short_name", "long_name", "route_type"], version, feed.Routes, r => [r.Id, r.AgencyId, r.ShortName, r.LongName, r.Type]);
        await InsertAsync(tx, "transit_trips", ["trip_id", "route_id", "service_id", "headsign", "direction_id"], version, feed.Trips, t => [t.Id, t.RouteId, t.ServiceId, t.Headsign, t.DirectionId]);
        var lastSequence = feed.StopTimes.GroupBy(s => s.TripId).ToDictionary(g => g.Key, g => g.Max(s => s.Sequence), StringComparer.Ordinal);
        await InsertAsync(tx, "transit_stop_times", ["trip_id", "stop_sequence", "stop_id", "arrival", "departure", "headsign", "pickup_type", "is_last"], version, feed.StopTimes,
            s => [s.TripId, s.Sequence, s.StopId, s.Arrival, s.Departure, s.Headsign, s.PickupType, lastSequence[s.TripId] == s.Sequence ? 1 : 0]);
        await InsertAsync(tx, "transit_calendar", ["service_id", "days", "start_date", "end_date"], version, feed.Calendars, c => [c.ServiceId, c.Days, DateKey(c.Start), DateKey(c.End)]);
        await InsertAsync(tx, "transit_calendar_dates", ["service_id", "date", "exception_type"], version, feed.CalendarDates, d => [d.ServiceId, DateKey(d.Date), d.ExceptionType]);
        await InsertAsync(tx, "transit_translations", ["table_name", "field_name", "language", "translation", "record_id", "record_sub_id", "field_value"], version, feed.Translations,
            t => [t.Table, t.Field, t.Language, t.Translation, t.RecordId, t.RecordSubId, t.FieldValue]);
        await InsertAsync(tx, "transit_frequencies", ["trip_id", "start_time", "end_time", "headway_secs"], version, feed.Frequencies, f => [f.TripId, f.Start, f.End, f.Headway]);
        var counts = JsonSerializer.Serialize(new
        {
            agencies = feed.Agencies.Count, stops = feed.Stops.Count, routes = feed.Routes.Count, trips = feed.Trips.Count, stopTimes = feed.StopTimes.Count,
            calendars = feed.Calendars.Count, calendarDates = feed.CalendarDates.Count, translations = feed.Translations.Count, frequencies = feed.Frequencies.Count,
        });
        await tx.ExecAsync(
            "INSERT INTO transit_feeds (feed, active, imported_at, imported_by, sha256, timezone, publisher, feed_version, counts) VALUES (@f, 0, @at, @by, @sha, @tz, @pub, @fv, @c)",
            ("@f", version), ("@at", now), ("@by", actor), ("@sha", sha256), ("@tz", feed.Timezone), ("@pub", feed.FeedInfo?.PublisherName), ("@fv", feed.FeedInfo?.Version), ("@c", counts));
        // The switch: the new version becomes the active one and the old one's rows go, in this transaction.
        await tx.ExecAsync("UPDATE transit_feeds SET active = CASE WHEN feed = @f THEN 1 ELSE 0 END", ("@f", version));
        foreach (var table in DataTables) await tx.ExecAsync($"DELETE FROM {table} WHERE feed <> @f", ("@f", version));
        await tx.ExecAsync("DELETE FROM transit_feeds WHERE feed <> @f", ("@f", version));
        return version;
    }

    public static Task<FeedVersion?> ActiveAsync(Tx tx) => tx.SingleAsync(
        "SELECT feed, imported_at, imported_by, sha256, timezone, publisher, feed_version, counts FROM transit_feeds WHERE active = 1",
        r => new FeedVersion(r.GetInt64(0), r.GetInt64(1), r.GetString(2), r.GetString(3), r.GetString(4), r.Str(5), r.Str(6), JsonDocument.Parse(r.GetString(7)).RootElement.Clone()));

    public static async Task<long> LogImportAsync(Tx tx, long now, string actor, string? sha256, long? feed, GtfsProblems? problems)
    {
        var list = JsonSerializer.Serialize(problems?.List ?? (IReadOnlyList<GtfsProblem>)Array.Empty<GtfsProblem>(), Api.Json);
        return await tx.LongAsync(
            "INSERT INTO transit_imports (at, actor, sha256, feed, problem_count, problems) VALUES (@at, @actor, @sha, @f, @n, @p) RETURNING id",
            ("@at", now), ("@actor", actor), ("@sha", sha256), ("@f", feed), ("@n", problems?.Total ?? 0), ("@p", list)) ?? 0;
    }

    public static Task<List<FeedImport>> RecentImportsAsync(Tx tx, int count) => tx.QueryAsync(
        "SELECT id, at, actor, sha256, feed, problem_count, problems FROM transit_imports ORDER BY id DESC LIMIT @n",
        r => new FeedImport(r.GetInt64(0), r.GetInt64(1), r.GetString(2), r.Str(3), r.Long(4), Convert.ToInt32(r.GetValue(5)),
            JsonSerializer.Deserialize<List<GtfsProblem>>(r.GetString(6), Api.Json)!), ("@n", count));

    private static async Task CopyAsync<T>(NpgsqlConnection connection, string table, string[] columns, long feed, IEnumerable<T> rows, Func<T, object?[]> values,
        CancellationToken ct)
    {
        await using var copy = await connection.BeginBinaryImportAsync($"COPY {table} (feed, {string.Join(", ", columns)}) FROM STDIN (FORMAT BINARY)", ct);
        foreach (var row in rows)
        {
            await copy.StartRowAsync(ct);
            await copy.WriteAsync(feed, NpgsqlDbType.Bigint, ct);
            foreach (var value in values(row))
            {
                switch (value)
                {
                    case null: await copy.WriteNullAsync(ct); break;
                    case string text: await copy.WriteAsync(text, NpgsqlDbType.Text, ct); break;
                    default: await copy.WriteAsync(Convert.ToInt32(value, CultureInfo.InvariantCulture), NpgsqlDbType.Integer, ct); break;
                }
            }
        }
        await copy.CompleteAsync(ct);
    }

    public static int DateKey(DateOnly date) => date.Year * 10000 + date.Month * 100 + date.Day;

    /// <summary>Writes <paramref name="rows"/> into <paramref name="table"/> under <paramref name="feed"/>. PostgreSQL takes them
    /// by binary COPY (a million stop_times in seconds; row by row they took minutes: docs/transit.md "Import
    /// benchmark"), SQLite by one prepared INSERT reused (in-process, no round trips). Every column but <c>feed</c>
    /// (BIGINT) is TEXT or INTEGER: strings go as text, numbers as integer.</summary>
    private static async Task InsertAsync<T>(Tx tx, string table, string[] columns, long feed, IEnumerable<T> rows, Func<T, object?[]> values)
    {
        if (tx.Kind == StorageKind.Postgres)
        {
            await CopyAsync((NpgsqlConnection)tx.Connection, table, columns, feed, rows, values, tx.Cancellation);
            return;
        }
        var sql = $"INSERT INTO {table} (feed, {string.Join(", ", columns)}) VALUES (@feed, {string.Join(", ", columns.Select(c => "@" + c))})";
        await using var command = tx.Command(sql, ("@feed", feed));
        foreach (var column in columns) command.Add("@" + column, null);
        foreach (var row in rows)
        {
            var v = values(row);
            for (var i = 0; i < v.Length; i++) command.Parameters[i + 1].Value = v[i] ?? DBNull.Value;
            await command.ExecuteNonQueryAsync(tx.Cancellation);
        }
    }
}
