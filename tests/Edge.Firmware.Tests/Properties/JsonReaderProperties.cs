using System;
using System.Linq;
using System.Text;
using System.Text.Json;
using CsCheck;
using Edge.Firmware.Protocol;

namespace Edge.Firmware.Tests.Properties;

/// <summary>
/// The firmware's JSON reader (Protocol/JsonReader) against .NET's <see cref="Utf8JsonReader"/> as the RFC 8259
/// reference, on valid documents and on broken ones: raw multi-byte UTF-8, overlong encodings, encoded
/// surrogates, code points past U+10FFFF, truncated sequences, escapes of lone surrogates, deep nesting, huge
/// numbers, and random edits of all of these. The two must agree on accept / reject. The relation includes the
/// firmware's documented limits: nesting deeper than <see cref="JsonReader.MaxDepth"/> is rejected (the reference
/// runs with the same MaxDepth) and a leading UTF-8 byte order mark is tolerated (the reference is given the text
/// after it). RFC 8259 §8.1 requires UTF-8, so the reference also rejects a string whose bytes are not valid UTF-8
/// (<see cref="Utf8JsonReader"/> leaves that check to GetString).
/// </summary>
public class JsonReaderProperties
{
    private static readonly byte[] Bom = [0xEF, 0xBB, 0xBF];

    private static readonly byte[][] Snippets =
    [
        [0xC0, 0x80], [0xC1, 0xBF], [0xE0, 0x80, 0x80], [0xF0, 0x80, 0x80, 0x80], // overlong
        [0xED, 0xA0, 0x80], [0xED, 0xBF, 0xBF],                                     // UTF-16 surrogates encoded in UTF-8
        [0xF4, 0x90, 0x80, 0x80], [0xF5, 0x80, 0x80, 0x80], [0xFF], [0xFE],        // past U+10FFFF, never in UTF-8
        [0x80], [0xBF], [0xC3], [0xE2, 0x82], [0xF0, 0x9F, 0x98],                   // stray continuation, truncated
        "é"u8.ToArray(), "€"u8.ToArray(), "😀"u8.ToArray(), "Ω"u8.ToArray(),          // valid multi-byte
        [0x00], [0x0B], [0x0C], [0x7F], [0x1F],
        "\\u"u8.ToArray(), "\\ud800"u8.ToArray(), "\\udc00"u8.ToArray(), "\\ud83d\\ude00"u8.ToArray(), "\\x"u8.ToArray(), "\\/"u8.ToArray(),
        "\""u8.ToArray(), ","u8.ToArray(), ":"u8.ToArray(), "["u8.ToArray(), "]"u8.ToArray(), "{"u8.ToArray(), "}"u8.ToArray(),
        "0"u8.ToArray(), "-"u8.ToArray(), "."u8.ToArray(), "e"u8.ToArray(), "+"u8.ToArray(), "00"u8.ToArray(), "1e999999"u8.ToArray(),
        " "u8.ToArray(), "\t"u8.ToArray(), "\r\n"u8.ToArray(), "tru"u8.ToArray(), "nul"u8.ToArray(), "/*c*/"u8.ToArray(), Bom,
    ];

    private static readonly Gen<string> Whitespace = Gen.OneOf<string>("", "", "", " ", "\n", "\t ", "\r\n  ");

    private static readonly Gen<string> Number = Gen.OneOf<string>(
        Gen.Long.Select(v => v.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        Gen.Double[-1e12, 1e12].Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)),
        Gen.Int[1, 400].Select(n => new string('9', n)),                      // huge integers
        Gen.Select(Gen.Int[0, 9], Gen.Int[-2000, 2000], (m, e) => $"{m}.5e{e}"), // huge and tiny exponents
        Gen.OneOf<string>("-0", "0", "0.0", "-0.0e+0", "1E+2", "123456789012345678901234567890.123456789e-30"));

    private static readonly Gen<string> StringChar = Gen.OneOf<string>(
        Gen.Char['a', 'z'].Select(c => c.ToString()),
        Gen.OneOf<string>("é", "中", "😀", "€", " ", "\\n", "\\\"", "\\\\", "\\/", "\\u00e9", "\\ud83d\\ude00", "\\ud800", "\\udfff", "\\u0000"));

    private static readonly Gen<string> JsonString = StringChar.Array[0, 8].Select(parts => "\"" + string.Concat(parts) + "\"");

    private static Gen<string> Value(int depth)
    {
        var scalar = Gen.OneOf<string>(new IGen<string>[] { Number, JsonString, Gen.OneOf<string>("true", "false", "null") });
        if (depth == 0) return scalar;
        var inner = Value(depth - 1);
        var array = Gen.Select(inner, Whitespace).Array[0, 4].Select(items => "[" + string.Join(",", items.Select(i => i.Item2 + i.Item1)) + "]");
        var obj = Gen.Select(JsonString, Whitespace, inner).Array[0, 4].Select(members => "{" + string.Join(",", members.Select(m => m.Item1 + m.Item2 + ":" + m.Item3)) + "}");
        return Gen.OneOf<string>(new IGen<string>[] { scalar, scalar, scalar, array, obj });
    }

    /// <summary>Nesting around the documented limit, in arrays and objects.</summary>
    private static readonly Gen<string> Deep = Gen.Select(Gen.Int[JsonReader.MaxDepth - 3, JsonReader.MaxDepth + 3], Gen.Bool, Gen.Bool, (n, objects, closed) =>
    {
        var open = objects ? string.Concat(Enumerable.Repeat("{\"a\":", n - 1)) + "{" : new string('[', n);
        var close = objects ? new string('}', n) : new string(']', n);
        return open + (closed ? close : close[1..]);
    });

    private static readonly Gen<byte[]> Shallow = Gen.Select(Whitespace, Value(3), Whitespace, (a, v, b) => Encoding.UTF8.GetBytes(a + v + b));

    private static readonly Gen<byte[]> Document = Gen.OneOf<byte[]>(new IGen<byte[]>[] { Shallow, Shallow, Shallow, Shallow, Deep.Select(Encoding.UTF8.GetBytes) });

    /// <summary>0–3 edits: insert a snippet, delete a byte, or overwrite a byte with a snippet.</summary>
    private static readonly Gen<byte[]> Edited = Gen.Select(Document, Gen.Select(Gen.Int[0, 2], Gen.Int[0, 10_000], Gen.Int[0, Snippets.Length - 1]).Array[0, 3], (doc, edits) =>
    {
        var bytes = doc.ToList();
        foreach (var (kind, at, snippet) in edits)
        {
            var position = bytes.Count == 0 ? 0 : at % (bytes.Count + 1);
            if (kind == 1 && bytes.Count > 0) bytes.RemoveAt(Math.Min(position, bytes.Count - 1));
            else
            {
                if (kind == 2 && position < bytes.Count) bytes.RemoveAt(position);
                bytes.InsertRange(position, Snippets[snippet]);
            }
        }
        return bytes.ToArray();
    });

    private static bool FirmwareAccepts(byte[] utf8)
    {
        var reader = new JsonReader();
        reader.Reset(utf8, 0, utf8.Length);
        try
        {
            while (reader.Read())
            {
            }
            return true;
        }
        catch (JsonFormatException)
        {
            return false;
        }
    }

    private static bool ReferenceAccepts(byte[] utf8)
    {
        ReadOnlySpan<byte> text = utf8;
        if (text.StartsWith(Bom)) text = text[Bom.Length..];
        var reader = new Utf8JsonReader(text, new JsonReaderOptions { MaxDepth = JsonReader.MaxDepth });
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName && !System.Text.Unicode.Utf8.IsValid(reader.ValueSpan)) return false;
            }
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static string Show(byte[] utf8) => Convert.ToHexString(utf8) + " \"" + Encoding.UTF8.GetString(utf8) + "\"";

    [Fact]
    public void Valid_documents_are_accepted_by_both()
        => Property.Check(Document, doc =>
        {
            Assert.True(ReferenceAccepts(doc) == FirmwareAccepts(doc), $"reference {ReferenceAccepts(doc)}, firmware {FirmwareAccepts(doc)}");
        }, iterations: 300, print: Show);

    [Fact]
    public void Broken_documents_are_rejected_by_both_and_valid_ones_accepted_by_both()
        => Property.Check(Edited, doc =>
        {
            Assert.True(ReferenceAccepts(doc) == FirmwareAccepts(doc), $"reference {(ReferenceAccepts(doc) ? "accepts" : "rejects")}, firmware {(FirmwareAccepts(doc) ? "accepts" : "rejects")}");
        }, iterations: 1500, print: Show);
}
