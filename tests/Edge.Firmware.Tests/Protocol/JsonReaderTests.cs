using System;
using System.Collections.Generic;
using System.Text;
using System.Text.Json;
using Edge.Firmware.Protocol;

namespace Edge.Firmware.Tests.Protocol;

public class JsonReaderTests
{
    private static List<string> Tokens(string json)
    {
        var reader = new JsonReader(Encoding.UTF8.GetBytes(json));
        var list = new List<string>();
        while (reader.Read())
        {
            switch (reader.Token)
            {
                case JsonToken.PropertyName: list.Add("P:" + reader.GetString()); break;
                case JsonToken.String: list.Add("S:" + reader.GetString()); break;
                case JsonToken.Number: list.Add("N:" + reader.GetDouble().ToString("G15")); break;
                default: list.Add(reader.Token.ToString()); break;
            }
        }
        return list;
    }

    /// <summary>The same token stream from System.Text.Json's Utf8JsonReader, the reference.</summary>
    private static List<string> ReferenceTokens(string json)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json));
        var list = new List<string>();
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName: list.Add("P:" + reader.GetString()); break;
                case JsonTokenType.String: list.Add("S:" + reader.GetString()); break;
                case JsonTokenType.Number: list.Add("N:" + reader.GetDouble().ToString("G15")); break;
                case JsonTokenType.StartObject: list.Add("StartObject"); break;
                case JsonTokenType.EndObject: list.Add("EndObject"); break;
                case JsonTokenType.StartArray: list.Add("StartArray"); break;
                case JsonTokenType.EndArray: list.Add("EndArray"); break;
                case JsonTokenType.True: list.Add("True"); break;
                case JsonTokenType.False: list.Add("False"); break;
                case JsonTokenType.Null: list.Add("Null"); break;
            }
        }
        return list;
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("[]")]
    [InlineData("[[],{}]")]
    [InlineData("  {\"a\" : [1, -2.5, 3e2, 0.125, -0, 1E-3, true, false, null, \"x\"] }  ")]
    [InlineData("\"Ηγουμενίτσα — λιμάνι\"")]
    [InlineData("{\"esc\":\"q\\\" b\\\\ s\\/ \\b\\f\\n\\r\\t \\u00e9 \\u03a9 \\ud83d\\ude8c\"}")]
    [InlineData("42")]
    [InlineData("{\"lat\":39.5035,\"lon\":20.2655,\"n\":{\"deep\":[{\"x\":[1,[2,[3]]]}]}}")]
    public void Matches_System_Text_Json_on_valid_documents(string json)
    {
        Assert.Equal(ReferenceTokens(json), Tokens(json));
    }

    [Fact]
    public void Matches_System_Text_Json_on_random_documents()
    {
        var random = new Random(20261126);
        for (int i = 0; i < 500; i++)
        {
            var json = RandomJson.Value(random, 0);
            Assert.Equal(ReferenceTokens(json), Tokens(json));
        }
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("{", "ends too early")]
    [InlineData("{\"a\":1,}", "expected a property name")]
    [InlineData("[1,]", "expected a value")]
    [InlineData("[1 2]", "expected ',' or ']'")]
    [InlineData("{\"a\" 1}", "expected ':'")]
    [InlineData("{a:1}", "expected a property name")]
    [InlineData("[01]", "leading zeros")]
    [InlineData("[1.]", "digit must follow '.'")]
    [InlineData("[-]", "digit must follow '-'")]
    [InlineData("[tru]", "expected a value")]
    [InlineData("\"abc", "unterminated string")]
    [InlineData("\"a\\x\"", "invalid escape")]
    [InlineData("\"\\u12G4\"", "invalid \\u escape")]
    [InlineData("{} {}", "after the end")]
    [InlineData("[1]]", "after the end")]
    [InlineData("{\"a\":1}\n x", "line 2, column 2")]
    public void Rejects_invalid_documents_with_a_clear_message(string json, string expected)
    {
        var reader = new JsonReader(Encoding.UTF8.GetBytes(json));
        var e = Assert.Throws<JsonFormatException>(() => { while (reader.Read()) { } });
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Rejects_control_characters_and_invalid_utf8_in_strings()
    {
        Assert.Throws<JsonFormatException>(() => ReadAll(new byte[] { (byte)'"', 0x01, (byte)'"' }));
        Assert.Throws<JsonFormatException>(() => ReadAll(new byte[] { (byte)'"', 0xC3, (byte)'"' }));
        Assert.Throws<JsonFormatException>(() => ReadAll(new byte[] { (byte)'"', 0xC0, 0xAF, (byte)'"' })); // overlong '/'
    }

    [Fact]
    public void Rejects_nesting_deeper_than_the_limit_instead_of_overflowing()
    {
        var json = new string('[', JsonReader.MaxDepth + 1) + new string(']', JsonReader.MaxDepth + 1);
        var e = Assert.Throws<JsonFormatException>(() => ReadAll(Encoding.UTF8.GetBytes(json)));
        Assert.Contains("nesting", e.Message);
        var ok = new string('[', JsonReader.MaxDepth) + new string(']', JsonReader.MaxDepth);
        ReadAll(Encoding.UTF8.GetBytes(ok));
    }

    [Fact]
    public void Whole_numbers_cover_the_long_range_and_reject_overflow_and_fractions()
    {
        Assert.Equal(long.MaxValue, Number(long.MaxValue.ToString()).GetInt64());
        Assert.Equal(long.MinValue, Number(long.MinValue.ToString()).GetInt64());
        Assert.Throws<JsonFormatException>(() => Number("9223372036854775808").GetInt64());
        Assert.Throws<JsonFormatException>(() => Number("1.5").GetInt64());
        Assert.Throws<JsonFormatException>(() => Number("3000000000").GetInt32());
    }

    [Fact]
    public void ValueEquals_compares_unescaped_text_without_allocating()
    {
        var bytes = Encoding.UTF8.GetBytes("{\"sunr\\u0069se\":\"Ωμέγα\",\"bus\":\"\\ud83d\\ude8c\"}");
        var reader = new JsonReader(bytes);
        reader.Read();
        reader.Read();
        Assert.True(reader.ValueEquals("sunrise"));
        Assert.False(reader.ValueEquals("sunris"));
        Assert.False(reader.ValueEquals("sunrisee"));
        reader.Read();
        Assert.True(reader.ValueEquals("Ωμέγα"));
        reader.Read();
        reader.Read();
        Assert.True(reader.ValueEquals("\U0001F68C"));

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            reader.Reset(bytes, 0, bytes.Length);
            while (reader.Read())
            {
                if (reader.Token == JsonToken.PropertyName) reader.ValueEquals("sunrise");
            }
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Skip_jumps_over_a_whole_value()
    {
        var reader = new JsonReader(Encoding.UTF8.GetBytes("{\"skip\":{\"a\":[1,{\"b\":2}]},\"keep\":7}"));
        reader.Read();
        reader.Read();
        reader.Skip();
        Assert.Equal(JsonToken.EndObject, reader.Token);
        reader.Read();
        Assert.True(reader.ValueEquals("keep"));
        reader.Read();
        Assert.Equal(7, reader.GetInt32());
    }

    private static JsonReader Number(string text)
    {
        var reader = new JsonReader(Encoding.UTF8.GetBytes(text));
        reader.Read();
        return reader;
    }

    private static void ReadAll(byte[] bytes)
    {
        var reader = new JsonReader(bytes);
        while (reader.Read()) { }
    }
}

/// <summary>Random valid JSON documents for cross-checking readers.</summary>
public static class RandomJson
{
    public static string Value(Random r, int depth)
    {
        switch (r.Next(depth > 4 ? 5 : 7))
        {
            case 0: return r.Next(2) == 0 ? "true" : (r.Next(2) == 0 ? "false" : "null");
            case 1: return r.Next(-100000, 100000).ToString();
            case 2: return (r.NextDouble() * Math.Pow(10, r.Next(-5, 8)) * (r.Next(2) == 0 ? -1 : 1)).ToString("R", System.Globalization.CultureInfo.InvariantCulture);
            case 3:
            case 4: return JsonSerializer.Serialize(String(r));
            case 5:
                {
                    var sb = new StringBuilder("[");
                    int n = r.Next(4);
                    for (int i = 0; i < n; i++) { if (i > 0) sb.Append(", "); sb.Append(Value(r, depth + 1)); }
                    return sb.Append(']').ToString();
                }
            default:
                {
                    var sb = new StringBuilder("{");
                    int n = r.Next(4);
                    for (int i = 0; i < n; i++)
                    {
                        if (i > 0) sb.Append(',');
                        sb.Append(JsonSerializer.Serialize(String(r))).Append(':').Append(Value(r, depth + 1));
                    }
                    return sb.Append('}').ToString();
                }
        }
    }

    private static string String(Random r)
    {
        const string alphabet = "abcXYZ09 _-\"\\/\n\tάέήίόύώΑΩλ€😀\u0001";
        var sb = new StringBuilder();
        int n = r.Next(8);
        for (int i = 0; i < n; i++)
        {
            int k = r.Next(alphabet.Length);
            if (char.IsHighSurrogate(alphabet[k])) { sb.Append(alphabet, k, 2); continue; }
            if (char.IsLowSurrogate(alphabet[k])) continue;
            sb.Append(alphabet[k]);
        }
        return sb.ToString();
    }
}
