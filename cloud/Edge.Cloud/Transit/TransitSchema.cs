using System.Collections.Generic;
using Edge.Cloud.Storage.Migrations;

namespace Edge.Cloud.Transit;

/// <summary>
/// Transit storage (docs/transit.md): every imported GTFS feed version keyed by <c>feed</c> (the previous one is
/// deleted in the transaction that activates the next), the import log with each refused feed's problems, and
/// the links from bus-stop nodes to GTFS stop ids. Dates are <c>YYYYMMDD</c> integers, times seconds from the
/// service day's "noon minus 12 h". Migrations 300–399.
/// </summary>
public sealed class TransitSchema : IMigrationSource
{
    public IEnumerable<Migration> Migrations { get; } = new[]
    {
        new Migration(300, "transit: GTFS feeds and stop links", Sqlite: Tables("INTEGER PRIMARY KEY"), Postgres: Tables("BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY")),
        new Migration(301, "transit: a bus stop's bilingual name in the inventory", Sqlite: StopNames, Postgres: StopNames),
    };

    // The sign's name where the feed has no translation (docs/transit.md "Stop links").
    private const string StopNames = "CREATE TABLE transit_stop_names (node TEXT NOT NULL PRIMARY KEY, name_el TEXT NOT NULL, name_en TEXT NOT NULL);";

    private static string Tables(string identity) => $"""
        CREATE TABLE transit_feeds (
          feed BIGINT PRIMARY KEY,
          active INTEGER NOT NULL,
          imported_at BIGINT NOT NULL,
          imported_by TEXT NOT NULL,
          sha256 TEXT NOT NULL,
          timezone TEXT NOT NULL,
          publisher TEXT NULL,
          feed_version TEXT NULL,
          counts TEXT NOT NULL
        );
        CREATE TABLE transit_imports (
          id {identity},
          at BIGINT NOT NULL,
          actor TEXT NOT NULL,
          sha256 TEXT NULL,
          feed BIGINT NULL,
          problem_count INTEGER NOT NULL,
          problems TEXT NOT NULL
        );
        CREATE TABLE transit_agencies (feed BIGINT NOT NULL, agency_id TEXT NULL, name TEXT NOT NULL, url TEXT NOT NULL, timezone TEXT NOT NULL);
        CREATE TABLE transit_stops (
          feed BIGINT NOT NULL, stop_id TEXT NOT NULL, name TEXT NULL, parent_station TEXT NULL, location_type INTEGER NOT NULL,
          PRIMARY KEY (feed, stop_id)
        );
        CREATE TABLE transit_routes (
          feed BIGINT NOT NULL, route_id TEXT NOT NULL, agency_id TEXT NULL, short_name TEXT NULL, long_name TEXT NULL, route_type INTEGER NOT NULL,
          PRIMARY KEY (feed, route_id)
        );
        CREATE TABLE transit_trips (
          feed BIGINT NOT NULL, trip_id TEXT NOT NULL, route_id TEXT NOT NULL, service_id TEXT NOT NULL, headsign TEXT NULL, direction_id INTEGER NULL,
          PRIMARY KEY (feed, trip_id)
        );
        CREATE TABLE transit_stop_times (
          feed BIGINT NOT NULL, trip_id TEXT NOT NULL, stop_sequence INTEGER NOT NULL, stop_id TEXT NOT NULL,
          arrival INTEGER NULL, departure INTEGER NULL, headsign TEXT NULL, pickup_type INTEGER NOT NULL, is_last INTEGER NOT NULL,
          PRIMARY KEY (feed, trip_id, stop_sequence)
        );
        CREATE INDEX transit_stop_times_stop ON transit_stop_times (feed, stop_id);
        CREATE TABLE transit_calendar (
          feed BIGINT NOT NULL, service_id TEXT NOT NULL, days INTEGER NOT NULL, start_date INTEGER NOT NULL, end_date INTEGER NOT NULL,
          PRIMARY KEY (feed, service_id)
        );
        CREATE TABLE transit_calendar_dates (
          feed BIGINT NOT NULL, service_id TEXT NOT NULL, date INTEGER NOT NULL, exception_type INTEGER NOT NULL,
          PRIMARY KEY (feed, service_id, date)
        );
        CREATE TABLE transit_translations (
          feed BIGINT NOT NULL, table_name TEXT NOT NULL, field_name TEXT NOT NULL, language TEXT NOT NULL, translation TEXT NOT NULL,
          record_id TEXT NULL, record_sub_id TEXT NULL, field_value TEXT NULL
        );
        CREATE INDEX transit_translations_feed ON transit_translations (feed, table_name, field_name);
        CREATE TABLE transit_frequencies (
          feed BIGINT NOT NULL, trip_id TEXT NOT NULL, start_time INTEGER NOT NULL, end_time INTEGER NOT NULL, headway_secs INTEGER NOT NULL
        );
        CREATE INDEX transit_frequencies_trip ON transit_frequencies (feed, trip_id);
        CREATE TABLE transit_stop_links (
          node TEXT NOT NULL, stop_id TEXT NOT NULL,
          PRIMARY KEY (node, stop_id)
        );
        """;
}
