using System;
using System.Text;
using System.Text.Json;
using Edge.Cloud.Ingestion;

namespace Edge.Cloud.Tests.Ingestion;

/// <summary>
/// <see cref="RecordValidator"/> on its own: the record's members read in one pass, the derived rows taken from the
/// payload's verdict, and the UTF-8 scan that skips the token walk for plain text — each giving what the member lookups
/// and the full scan gave before (docs/cloud.md §Where the HTTP path's CPU goes).
/// </summary>
public sealed class RecordValidatorTests
{
    const string Streetlight = "{\"v\":1,\"type\":\"streetlight\",\"ts\":TS,\"boot\":3,\"seq\":9,\"level\":60,\"watts\":38.5}";

    static RecordCheck Check(string json)
    {
        using var document = JsonDocument.Parse(Encoding.UTF8.GetBytes(json));
        return RecordValidator.Validate("gw-1", document.RootElement);
    }

    static RecordCheck Check(byte[] json)
    {
        using var document = JsonDocument.Parse(json);
        return RecordValidator.Validate("gw-1", document.RootElement);
    }

    static string Record(string kind, string payload, string extra = "") =>
        $"{{\"seq\":5,\"kind\":\"{kind}\",\"site\":\"s1\",\"node\":\"sl-1\",\"receivedAt\":1767304900,{extra}\"payload\":{payload}}}";

    [Fact]
    public void Telemetry_rows_take_type_and_ts_from_the_payload_and_receivedAt_when_the_node_had_no_time()
    {
        var timed = Check(Record("telemetry", Streetlight.Replace("TS", "1767304800"))).Record!;
        Assert.Equal((1767304800L, "streetlight", 60, 38.5), (timed.Telemetry!.Ts, timed.Telemetry.Type, timed.Telemetry.Level, timed.Telemetry.Watts));
        var untimed = Check(Record("telemetry", Streetlight.Replace("TS", "0"))).Record!;
        Assert.Equal(1767304900L, untimed.Telemetry!.Ts);
    }

    [Fact]
    public void Event_and_ack_rows_take_kind_id_and_ts_from_the_payload()
    {
        var evt = Check(Record("event", "{\"v\":1,\"kind\":\"flood.rate\",\"active\":true,\"ts\":0,\"boot\":1,\"seq\":2}")).Record!;
        Assert.Equal(new Edge.Cloud.Storage.EventRow(1767304900, "flood.rate", null), evt.Event);
        var ack = Check(Record("ack", "{\"v\":1,\"id\":\"c-7\",\"result\":\"ok\",\"ts\":1767304850,\"boot\":1,\"seq\":3}")).Record!;
        Assert.Equal(new Edge.Cloud.Storage.EventRow(1767304850, "cmd.ack", "c-7"), ack.Event);
    }

    [Fact]
    public void Of_a_member_given_twice_the_last_counts_as_a_lookup_by_name_did()
    {
        // JsonDocument's TryGetProperty answers with the last of duplicated names; the one pass keeps that rule.
        var check = Check(Record("rule", Streetlight.Replace("TS", "1"), "\"kind\":\"telemetry\","));
        Assert.Equal("telemetry", check.Record!.Kind);
        Assert.Equal("seq: required", Check(Record("telemetry", Streetlight.Replace("TS", "1"), "\"seq\":null,")).Error);
    }

    [Theory]
    [InlineData("\"kind\":\"lamp\"", "kind: \"lamp\" is not one of telemetry, event, state, ack, rule, gateway")]
    [InlineData("\"kind\":7", "kind: expected a string, got 7")]
    [InlineData("\"kind\":null", "kind: required")]
    [InlineData("\"kind\":\"\\u0074elemetry\"", null)] // an escaped kind is the same text
    public void The_kind_is_one_of_the_record_kinds(string kind, string? error)
    {
        var json = Record("telemetry", Streetlight.Replace("TS", "1")).Replace("\"kind\":\"telemetry\"", kind);
        Assert.Equal(error, Check(json).Error);
    }

    [Fact]
    public void A_payload_error_behind_an_escaped_member_name_is_still_found()
    {
        var payload = "{\"v\":1,\"type\":\"streetlight\",\"ts\":1,\"boot\":3,\"seq\":9,\"\\u006cevel\":140}";
        var check = Check(Record("telemetry", payload));
        Assert.Equal((5L, "payload.level: 140 is out of range 0..100"), (check.Seq, check.Error));
    }

    [Fact]
    public void Invalid_UTF8_in_a_record_that_also_holds_an_escape_is_placed_by_the_full_scan()
    {
        // An escape sends the scan from the two-pass fast path to the token walk, which must still find the bad byte.
        var head = Encoding.UTF8.GetBytes(Record("telemetry", "{\"v\":1,\"type\":\"streetlight\",\"ts\":1,\"boot\":3,\"seq\":9,\"level\":1,\"note\":\"\\u00e9X\"}"));
        var bad = head.AsSpan().IndexOf("X"u8);
        head[bad] = 0xFF;
        var check = Check(head);
        Assert.Equal(5L, check.Seq);
        Assert.StartsWith("record: invalid UTF-8 or an unpaired surrogate in a string at byte ", check.Error);
    }
}
