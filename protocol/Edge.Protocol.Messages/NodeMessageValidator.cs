using System;
using System.Globalization;
using System.Text.Json;

namespace Edge.Protocol.Messages;

/// <summary>
/// The one validator of node → gateway messages (docs/protocol.md §5–§8, §10.3), called by the gateway for every
/// PUBLISH and by the cloud for every node record. Hand-written over <see cref="Utf8JsonReader"/> against the tables
/// of <see cref="MessageShapes"/>: one pass checks syntax and UTF-8 and notes where each known top-level member is
/// (on the stack), then each member is checked where it lies. A valid message allocates nothing.
/// </summary>
public static class NodeMessageValidator
{
    static readonly JsonReaderOptions Options = new() { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 16 };

    /// <summary>Where a known top-level member's value starts in the payload.</summary>
    struct Slot
    {
        public bool Present;
        public int Start;
    }

    public static NodeMessageCheck Validate(string leaf, ReadOnlySpan<byte> payload)
    {
        var shape = MessageShapes.ForLeaf(leaf);
        if (shape is null) return NodeMessageCheck.Fail(leaf, RejectReasons.UnknownTopic, leaf);
        if (payload.StartsWith("\uFEFF"u8)) return NodeMessageCheck.Fail(leaf, RejectReasons.Malformed, "byte-order mark (protocol.md §5.1)");

        Span<Slot> slots = stackalloc Slot[shape.All.Length];
        var syntax = Scan(shape, payload, slots);
        if (syntax is not null) return NodeMessageCheck.Fail(leaf, RejectReasons.Malformed, syntax);

        if (!slots[0].Present) return NodeMessageCheck.Fail(leaf, RejectReasons.MissingMember, "v: required");
        var v = At(payload, slots[0]);
        if (v.TokenType != JsonTokenType.Number || !v.TryGetInt64(out var version))
        {
            return NodeMessageCheck.Fail(leaf, RejectReasons.InvalidMember, $"v: expected an integer, got {JsonText.Describe(ref v)}");
        }
        if (version != 1) return NodeMessageCheck.Fail(leaf, RejectReasons.BadVersion, $"v: {version} is not a known schema version (expected 1)");

        var values = new Captured();
        string? discriminator = null;
        if (shape.Discriminator is { } key)
        {
            var failure = Check(leaf, key, payload, slots[1], ref values);
            if (failure is { } f) return f;
            discriminator = values.Enum;
        }
        var common = CheckAll(leaf, shape.Common, shape.CommonSlots, payload, slots, ref values);
        if (common is { } commonFailure) return commonFailure;
        if (discriminator is not null && shape.Variants.TryGetValue(discriminator, out var variant))
        {
            var specific = CheckAll(leaf, variant, shape.VariantSlots[discriminator], payload, slots, ref values);
            if (specific is { } specificFailure) return specificFailure;
        }
        return new NodeMessageCheck(leaf, null, null, values.Boot, values.Seq, values.Ts, discriminator);
    }

    /// <summary>Where a value is (<c>level</c>, <c>rejected.spike</c>, <c>faults[1]</c>), formatted only for an error so
    /// that a valid message costs no strings.</summary>
    readonly record struct Path(string Name, string? Child = null, int Index = -1)
    {
        public override string ToString() => Child is not null ? Name + "." + Child : Index >= 0 ? $"{Name}[{Index}]" : Name;
    }

    /// <summary>Values picked up while checking: identity (§5.4), time and the last enum read.</summary>
    struct Captured
    {
        public long Boot;
        public long Seq;
        public long? Ts;
        public string? Enum;
    }

    static NodeMessageCheck? CheckAll(string leaf, Member[] members, int[] slotIndexes, ReadOnlySpan<byte> payload, Span<Slot> slots, ref Captured values)
    {
        for (var i = 0; i < members.Length; i++)
        {
            var failure = Check(leaf, members[i], payload, slots[slotIndexes[i]], ref values);
            if (failure is not null) return failure;
        }
        return null;
    }

    static NodeMessageCheck? Check(string leaf, Member member, ReadOnlySpan<byte> payload, Slot slot, ref Captured values)
    {
        if (!slot.Present)
        {
            return member.Required ? NodeMessageCheck.Fail(leaf, RejectReasons.MissingMember, member.Name + ": required") : null;
        }
        var reader = At(payload, slot);
        var error = CheckValue(member, new Path(member.Name), ref reader, out var number, out var enumValue);
        if (error is not null) return NodeMessageCheck.Fail(leaf, RejectReasons.InvalidMember, error);
        switch (member.Name)
        {
            case "boot": values.Boot = number; break;
            case "seq": values.Seq = number; break;
            case "ts": values.Ts = number; break;
        }
        if (enumValue is not null) values.Enum = enumValue;
        return null;
    }

    /// <summary>Checks the value the reader stands on against <paramref name="member"/>; consumes a container to its end.</summary>
    static string? CheckValue(Member member, Path path, ref Utf8JsonReader reader, out long number, out string? enumValue)
    {
        number = 0;
        enumValue = null;
        switch (member.Type)
        {
            case MemberType.Integer:
                if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out number))
                {
                    return $"{path}: expected an integer, got {JsonText.Describe(ref reader)}";
                }
                return number < member.Min || number > member.Max
                    ? string.Create(CultureInfo.InvariantCulture, $"{path}: {number} is out of range {member.Min}..{member.Max}")
                    : null;
            case MemberType.Number:
                return reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out _) ? null : $"{path}: expected a number, got {JsonText.Describe(ref reader)}";
            case MemberType.String:
                return reader.TokenType == JsonTokenType.String ? null : $"{path}: expected a string, got {JsonText.Describe(ref reader)}";
            case MemberType.Boolean:
                return reader.TokenType is JsonTokenType.True or JsonTokenType.False ? null : $"{path}: expected true or false, got {JsonText.Describe(ref reader)}";
            case MemberType.Enum:
                if (reader.TokenType != JsonTokenType.String) return $"{path}: expected a string, got {JsonText.Describe(ref reader)}";
                for (var i = 0; i < member.Utf8Values.Length; i++)
                {
                    if (reader.ValueTextEquals(member.Utf8Values[i]))
                    {
                        enumValue = member.Values[i];
                        return null;
                    }
                }
                return $"{path}: {JsonText.Describe(ref reader)} is not one of {string.Join(", ", member.Values)}";
            case MemberType.CommandId:
                if (reader.TokenType != JsonTokenType.String) return $"{path}: expected a string, got {JsonText.Describe(ref reader)}";
                return IsCommandId(ref reader) ? null : $"{path}: {JsonText.Describe(ref reader)} does not match ^[A-Za-z0-9._:-]{{1,64}}$";
            case MemberType.Object:
                return CheckObject(member, path, ref reader);
            default:
                return CheckArray(member, path, ref reader);
        }
    }

    static string? CheckObject(Member member, Path path, ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject) return $"{path}: expected an object, got {JsonText.Describe(ref reader)}";
        var depth = reader.CurrentDepth;
        while (reader.Read() && !(reader.TokenType == JsonTokenType.EndObject && reader.CurrentDepth == depth))
        {
            // Only property names at the object's own level come here: values are read (or skipped) right below.
            var child = Match(member.Children, ref reader);
            reader.Read();
            if (child is null)
            {
                reader.Skip();
                continue;
            }
            var error = CheckValue(child, path with { Child = child.Name }, ref reader, out _, out _);
            if (error is not null) return error;
        }
        return null;
    }

    static string? CheckArray(Member member, Path path, ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartArray) return $"{path}: expected an array, got {JsonText.Describe(ref reader)}";
        var element = member.Element!;
        var depth = reader.CurrentDepth;
        var index = 0;
        while (reader.Read() && !(reader.TokenType == JsonTokenType.EndArray && reader.CurrentDepth == depth))
        {
            var error = CheckValue(element, path with { Index = index }, ref reader, out _, out _);
            if (error is not null) return error;
            index++;
        }
        return null;
    }

    static Member? Match(Member[] members, ref Utf8JsonReader reader)
    {
        foreach (var member in members)
        {
            if (reader.ValueTextEquals(member.Utf8Name)) return member;
        }
        return null;
    }

    static bool IsCommandId(ref Utf8JsonReader reader)
    {
        if (reader.ValueIsEscaped) return false; // the id alphabet needs no escapes; an escaped one is not sent by our nodes
        var id = reader.ValueSpan;
        if (id.Length is 0 or > 64) return false;
        foreach (var b in id)
        {
            if (!(b is >= (byte)'A' and <= (byte)'Z' or >= (byte)'a' and <= (byte)'z' or >= (byte)'0' and <= (byte)'9' or (byte)'.' or (byte)'_' or (byte)':' or (byte)'-')) return false;
        }
        return true;
    }

    /// <summary>The slot in <see cref="Shape.All"/> of the member name the reader stands on, or -1 for a name the leaf
    /// does not know.</summary>
    static int SlotOf(Shape shape, ref Utf8JsonReader reader)
    {
        if (reader.ValueIsEscaped)
        {
            // An escaped name (rare, never sent by our nodes) can only be compared unescaped: ValueTextEquals does that.
            for (var i = 0; i < shape.All.Length; i++)
            {
                if (reader.ValueTextEquals(shape.All[i].Utf8Name)) return i;
            }
            return -1;
        }
        // Unescaped, the name's bytes are its UTF-8 text: only known names of the same length can be equal.
        var name = reader.ValueSpan;
        if (name.Length >= shape.SlotsByLength.Length) return -1;
        foreach (var i in shape.SlotsByLength[name.Length])
        {
            if (name.SequenceEqual(shape.All[i].Utf8Name)) return i;
        }
        return -1;
    }

    /// <summary>A reader standing on the value that starts at <paramref name="slot"/>.</summary>
    static Utf8JsonReader At(ReadOnlySpan<byte> payload, Slot slot)
    {
        var reader = new Utf8JsonReader(payload[slot.Start..], Options);
        reader.Read();
        return reader;
    }

    /// <summary>One pass over the payload: one JSON object (§5.1), nothing after it, every string valid UTF-8 without
    /// unpaired surrogates, and the start of each known top-level member (a known member twice is refused: which one
    /// counts would be the reader's guess). Returns the problem, or null.</summary>
    static string? Scan(Shape shape, ReadOnlySpan<byte> payload, Span<Slot> slots)
    {
        var reader = new Utf8JsonReader(payload, Options);
        var textValid = JsonText.IsPlainValidText(payload); // then no string needs its own check below
        try
        {
            if (!reader.Read()) return "empty payload";
            if (reader.TokenType != JsonTokenType.StartObject) return "not a JSON object";
            while (reader.Read())
            {
                if (reader.TokenType is not (JsonTokenType.PropertyName or JsonTokenType.String)) continue;
                if (!textValid && !JsonText.IsValidText(ref reader)) return JsonText.InvalidTextError(ref reader);
                if (reader.TokenType != JsonTokenType.PropertyName || reader.CurrentDepth != 1) continue;
                var index = SlotOf(shape, ref reader);
                reader.Read();
                if (!textValid && reader.TokenType == JsonTokenType.String && !JsonText.IsValidText(ref reader)) return JsonText.InvalidTextError(ref reader);
                if (index < 0) continue;
                if (slots[index].Present) return $"{shape.All[index].Name}: duplicate member";
                slots[index] = new Slot { Present = true, Start = checked((int)reader.TokenStartIndex) };
            }
        }
        catch (JsonException exception)
        {
            return exception.Message;
        }
        return null;
    }
}
