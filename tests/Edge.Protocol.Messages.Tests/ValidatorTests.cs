using System;
using System.Linq;
using System.Text;

namespace Edge.Protocol.Messages.Tests;

/// <summary>
/// What a JSON Schema cannot say but protocol.md §5.1 and RFC 8259 §8 do: one object in valid UTF-8, no byte-order
/// mark, no trailing data, no unpaired surrogate, no member twice, integers without fraction. And what the gateway's
/// hot path needs: a verdict with the message identity, and no allocation for a valid message.
/// </summary>
public sealed class ValidatorTests
{
    const string Head = "{\"v\":1,\"type\":\"streetlight\",\"ts\":1767304800,\"boot\":17,\"seq\":2291,\"level\":60,\"note\":\"";

    static byte[] WithSource(params byte[] inString) => [.. Encoding.ASCII.GetBytes(Head), .. inString, .. "\"}"u8];

    public static TheoryData<string, byte[]> MalformedText() => new()
    {
        { "lone continuation byte", WithSource(0x80) },
        { "0xFF", WithSource(0xFF) },
        { "overlong NUL", WithSource(0xC0, 0x80) },
        { "truncated sequence", WithSource(0xE2, 0x82) },
        { "UTF-8-encoded high surrogate U+D800", WithSource(0xED, 0xA0, 0x80) },
        { "UTF-8-encoded low surrogate U+DFFF", WithSource(0xED, 0xBF, 0xBF) },
        { "code point above U+10FFFF", WithSource(0xF4, 0x90, 0x80, 0x80) },
        { "escaped lone high surrogate", WithSource("\\ud800"u8.ToArray()) },
        { "escaped lone low surrogate", WithSource("\\udc00"u8.ToArray()) },
        { "invalid UTF-8 in an unknown member's name", [.. "{\"v\":1,\"type\":\"streetlight\",\"ts\":1,\"boot\":1,\"seq\":1,\"level\":1,\""u8, 0xFF, .. "\":1}"u8] },
        { "invalid UTF-8 deep in an unknown member", [.. "{\"v\":1,\"type\":\"streetlight\",\"ts\":1,\"boot\":1,\"seq\":1,\"level\":1,\"x\":[{\"y\":\""u8, 0xFE, .. "\"}]}"u8] },
        { "invalid UTF-8 after a valid escape", [.. Encoding.ASCII.GetBytes(Head), .. "\\u00e9"u8, 0xFF, .. "\"}"u8] },
        { "escaped name of a known member given twice", "{\"v\":1,\"type\":\"streetlight\",\"ts\":1,\"boot\":1,\"seq\":1,\"level\":1,\"\\u006cevel\":2}"u8.ToArray() },
        { "byte-order mark", [0xEF, 0xBB, 0xBF, .. "{\"v\":1,\"type\":\"streetlight\",\"ts\":1,\"boot\":1,\"seq\":1,\"level\":1}"u8] },
        { "trailing data", "{\"v\":1,\"type\":\"streetlight\",\"ts\":1,\"boot\":1,\"seq\":1,\"level\":1} x"u8.ToArray() },
        { "two objects", "{\"v\":1,\"type\":\"streetlight\",\"ts\":1,\"boot\":1,\"seq\":1,\"level\":1}{}"u8.ToArray() },
        { "duplicate member", "{\"v\":1,\"type\":\"streetlight\",\"ts\":1,\"boot\":1,\"seq\":1,\"level\":1,\"level\":2}"u8.ToArray() },
        { "comment", "{\"v\":1,/*c*/\"type\":\"streetlight\",\"ts\":1,\"boot\":1,\"seq\":1,\"level\":1}"u8.ToArray() },
        { "not an object", "[1]"u8.ToArray() },
        { "empty", Array.Empty<byte>() },
        { "nesting deeper than 16", Encoding.ASCII.GetBytes("{\"v\":1,\"type\":\"streetlight\",\"ts\":1,\"boot\":1,\"seq\":1,\"level\":1,\"x\":" + new string('[', 20) + new string(']', 20) + "}") },
    };

    [Theory]
    [MemberData(nameof(MalformedText))]
    public void Text_that_is_not_one_valid_JSON_object_is_malformed(string name, byte[] payload)
    {
        var check = NodeMessageValidator.Validate("telemetry", payload);
        Assert.False(check.IsValid, name);
        Assert.Equal(RejectReasons.Malformed, check.Reason);
    }

    [Fact]
    public void Valid_non_ASCII_text_and_escaped_surrogate_pairs_are_fine()
    {
        Assert.True(NodeMessageValidator.Validate("telemetry", WithSource(Encoding.UTF8.GetBytes("φως 💡"))).IsValid);
        Assert.True(NodeMessageValidator.Validate("telemetry", WithSource("\\ud83d\\udca1"u8.ToArray())).IsValid);
    }

    [Theory]
    [InlineData("{\"v\":1,\"type\":\"streetlight\",\"ts\":1,\"boot\":1,\"seq\":1,\"level\":60.0}", "level: expected an integer, got 60.0")]
    [InlineData("{\"v\":1,\"type\":\"streetlight\",\"ts\":1,\"boot\":1,\"seq\":1,\"level\":6e1}", "level: expected an integer, got 6e1")]
    [InlineData("{\"v\":1,\"type\":\"streetlight\",\"ts\":1,\"boot\":1,\"seq\":1,\"level\":140}", "level: 140 is out of range 0..100")]
    [InlineData("{\"v\":1,\"type\":\"lamppost\",\"ts\":1,\"boot\":1,\"seq\":1}", "type: \"lamppost\" is not one of streetlight, waterlevel, busstop")]
    [InlineData("{\"v\":1,\"type\":\"streetlight\",\"ts\":1,\"boot\":1,\"seq\":1}", "level: required")]
    [InlineData("{\"v\":1,\"type\":\"streetlight\",\"ts\":1,\"boot\":1,\"seq\":1,\"level\":1,\"faults\":[\"cycling\",\"fire\"]}", "faults[1]: \"fire\" is not one of lamp-failure, day-burner, cycling, dimming-failure, supply-loss")]
    [InlineData("{\"v\":1,\"type\":\"waterlevel\",\"ts\":1,\"boot\":1,\"seq\":1,\"state\":\"watch\",\"rejected\":{\"spike\":-2}}", "rejected.spike: -2 is out of range 0..4294967295")]
    [InlineData("{\"v\":1,\"type\":\"streetlight\",\"ts\":1,\"boot\":1,\"seq\":1,\"\\u006cevel\":140}", "level: 140 is out of range 0..100")]
    [InlineData("{\"v\":1,\"type\":\"streetlight\",\"ts\":1,\"boot\":1,\"seq\":1,\"lever\":1,\"levelX\":1}", "level: required")]
    [InlineData("{\"v\":3,\"type\":\"streetlight\",\"ts\":1,\"boot\":1,\"seq\":1,\"level\":1}", "v: 3 is not a known schema version (expected 1)")]
    public void Errors_name_the_member_and_the_problem(string json, string error)
        => Assert.Equal(error, NodeMessageValidator.Validate("telemetry", Encoding.UTF8.GetBytes(json)).Error);

    [Fact]
    public void Plain_text_is_judged_valid_without_a_token_walk_and_anything_else_is_left_to_the_walk()
    {
        Assert.True(JsonText.IsPlainValidText("{\"a\":\"φως\"}"u8));
        Assert.False(JsonText.IsPlainValidText("{\"a\":\"\\u00e9\"}"u8)); // an escape: could be a lone surrogate
        Assert.False(JsonText.IsPlainValidText([.. "{\"a\":\""u8, 0xFF, .. "\"}"u8]));
        Assert.Null(JsonText.FindInvalidText("{\"a\":\"\\ud83d\\udca1\"}"u8));
        Assert.Equal("invalid UTF-8 or an unpaired surrogate in a string at byte 5 (RFC 8259 §8)", JsonText.FindInvalidText("{\"a\":\"\\ud800\"}"u8));
    }

    [Fact]
    public void A_valid_message_yields_its_identity_and_type()
    {
        var check = NodeMessageValidator.Validate("telemetry", Encoding.UTF8.GetBytes(Head + "n\"}"));
        Assert.Equal((true, 17L, 2291L, 1767304800L, "streetlight"), (check.IsValid, check.Boot, check.Seq, check.Ts!.Value, check.Discriminator));
    }

    [Fact]
    public void Checking_a_valid_message_allocates_nothing()
    {
        // The gateway validates every PUBLISH on its hot path: the verdict must not cost garbage per message.
        var payload = Encoding.UTF8.GetBytes("{\"v\":1,\"type\":\"streetlight\",\"ts\":1767304800,\"boot\":17,\"seq\":2291,\"level\":60,\"source\":\"schedule\",\"watts\":38.4,\"volts\":230.1,\"energyWh\":412873,\"burnHours\":10233.4,\"switches\":2871,\"lux\":0.4,\"faults\":[\"cycling\"]}");
        Assert.True(NodeMessageValidator.Validate("telemetry", payload).IsValid); // warm up (static tables)
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++) NodeMessageValidator.Validate("telemetry", payload);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Unknown_leaves_are_refused()
        => Assert.Equal(RejectReasons.UnknownTopic, NodeMessageValidator.Validate("config", "{\"v\":1}"u8).Reason);
}
