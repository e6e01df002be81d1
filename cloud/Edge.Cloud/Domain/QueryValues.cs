using System;
using System.Linq;

namespace Edge.Cloud.Domain;

/// <summary>
/// The query values every list endpoint shares, checked the same way everywhere: <c>limit</c> 1..1000 (default
/// 100), <c>from</c> ≤ <c>to</c> in Unix seconds, and filters that must name a known value (an unknown
/// <c>status=bogus</c> is a 400 that lists the known ones, not an empty list).
/// </summary>
public static class QueryValues
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    public static int Limit(int? limit)
    {
        var rows = limit ?? DefaultLimit;
        if (rows < 1 || rows > MaxLimit) throw DomainException.Invalid($"limit: {rows} is out of range 1..{MaxLimit}");
        return rows;
    }

    public static void Range(long? from, long? to)
    {
        if (from < 0) throw DomainException.Invalid($"from: {from} is negative (Unix seconds expected)");
        if (to < 0) throw DomainException.Invalid($"to: {to} is negative (Unix seconds expected)");
        if (from is { } f && to is { } t && f > t) throw DomainException.Invalid($"from: {f} is after to ({t})");
    }

    /// <summary><paramref name="value"/> unless it is given and not one of <paramref name="known"/>.</summary>
    public static string? OneOf(string name, string? value, params string[] known)
    {
        if (value is null || known.Contains(value, StringComparer.Ordinal)) return value;
        throw DomainException.Invalid($"{name}: '{value}' is not one of {string.Join(", ", known)}");
    }
}
