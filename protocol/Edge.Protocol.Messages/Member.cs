using System.Text;

namespace Edge.Protocol.Messages;

/// <summary>The value types of protocol.md §5.3 (and the few composite members of §6–§10).</summary>
public enum MemberType
{
    /// <summary>JSON integer (no fraction, no exponent) within [Min, Max].</summary>
    Integer,

    /// <summary>Any JSON number (<c>num</c>).</summary>
    Number,

    /// <summary>JSON string (<c>str</c>).</summary>
    String,

    /// <summary>JSON string from <see cref="Member.Values"/> (<c>enum</c>; an unknown value is invalid, §5.3).</summary>
    Enum,

    /// <summary><c>true</c> / <c>false</c>.</summary>
    Boolean,

    /// <summary>JSON object whose known members are <see cref="Member.Children"/> (others ignored, §5.2).</summary>
    Object,

    /// <summary>JSON array of enum strings from <see cref="Member.Values"/>.</summary>
    EnumArray,

    /// <summary>JSON array of strings.</summary>
    StringArray,

    /// <summary>A command id, <c>^[A-Za-z0-9._:-]{1,64}$</c> (§10.1).</summary>
    CommandId,
}

/// <summary>One member of a message as protocol.md defines it: name, type, range or allowed values, and whether a
/// receiver requires it. Built once in <see cref="MessageShapes"/>; its UTF-8 name is kept for allocation-free
/// matching on the gateway's hot path.</summary>
public sealed class Member
{
    public Member(string name, MemberType type, bool required = false, long min = long.MinValue, long max = long.MaxValue,
        string[]? values = null, Member[]? children = null)
    {
        Name = name;
        Utf8Name = Encoding.UTF8.GetBytes(name);
        Type = type;
        Required = required;
        Min = min;
        Max = max;
        Values = values ?? [];
        Utf8Values = new byte[Values.Length][];
        for (var i = 0; i < Values.Length; i++) Utf8Values[i] = Encoding.UTF8.GetBytes(Values[i]);
        Children = children ?? [];
        Element = type switch
        {
            MemberType.EnumArray => new Member(name, MemberType.Enum, values: values),
            MemberType.StringArray => new Member(name, MemberType.String),
            _ => null,
        };
    }

    public string Name { get; }

    public byte[] Utf8Name { get; }

    public MemberType Type { get; }

    public bool Required { get; }

    public long Min { get; }

    public long Max { get; }

    public string[] Values { get; }

    public byte[][] Utf8Values { get; }

    public Member[] Children { get; }

    /// <summary>The rule for each element of an array member.</summary>
    public Member? Element { get; }
}
