using System;
using System.Reflection;

namespace Edge.Firmware.Tests.Heap;

/// <summary>
/// Sizes of managed objects on nanoFramework's heap, from the CLR source (nanoframework/nf-interpreter,
/// src/CLR/Include/nanoCLR_Runtime__HeapBlock.h, src/CLR/Core/Execution.cpp, TypeSystemLookup.cpp,
/// CLR_RT_HeapBlock_String.cpp): the heap is made of 12-byte <c>CLR_RT_HeapBlock</c>s and every allocation
/// is rounded up to whole blocks (<c>CONVERTFROMSIZETOHEAPBLOCKS</c>).
/// <list type="bullet">
/// <item>class instance: one header block plus one block per instance field, inherited ones included
/// (<c>m_totalFields + HB_Object_Fields_Offset</c>); a field of a struct type holds a separately allocated
/// boxed instance (<c>InitializeReference</c> → <c>NewObject</c>); enums are stored inline;</item>
/// <item>array: <c>sizeof(CLR_RT_HeapBlock_Array)</c> = 20 bytes plus length × element size
/// (<c>ExtractHeapBlocksForArray</c>): bool/byte 1, char/short 2, int/uint/float 4, long/ulong/double 8,
/// DateTime/TimeSpan and every reference or struct element 12 (a struct element is a boxed instance too);</item>
/// <item>string built at run time: the 12-byte header plus its UTF-8 text and a terminating zero; a literal
/// from the assembly: the header only (the text stays in flash).</item>
/// </list>
/// </summary>
public static class NanoHeapLayout
{
    public const int Block = 12;
    public const int ArrayHeader = 20;

    public static int Blocks(int bytes) => (bytes + Block - 1) / Block * Block;

    public static int Array(Type element, int length) => Blocks(ArrayHeader + length * ElementSize(element));

    public static int String(string s, bool literal)
        => literal ? Block : Blocks(Block + System.Text.Encoding.UTF8.GetByteCount(s) + 1);

    /// <summary>The instance itself (header and field slots), not what its fields point to.</summary>
    public static int Instance(Type type) => Block * (1 + InstanceFields(type).Length);

    /// <summary>Instance fields of <paramref name="type"/> and its base classes.</summary>
    public static FieldInfo[] InstanceFields(Type type)
    {
        var all = new System.Collections.Generic.List<FieldInfo>();
        for (var t = type; t != null && t != typeof(object) && t != typeof(ValueType); t = t.BaseType)
            all.AddRange(t.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly));
        return all.ToArray();
    }

    /// <summary>A struct (not an enum, not a primitive, not DateTime/TimeSpan) is a separate boxed instance on nanoFramework.</summary>
    public static bool IsBoxedStruct(Type t)
        => t.IsValueType && !t.IsEnum && !t.IsPrimitive && t != typeof(DateTime) && t != typeof(TimeSpan);

    public static int ElementSize(Type t)
    {
        if (t.IsEnum) t = Enum.GetUnderlyingType(t);
        if (t == typeof(bool) || t == typeof(byte) || t == typeof(sbyte)) return 1;
        if (t == typeof(char) || t == typeof(short) || t == typeof(ushort)) return 2;
        if (t == typeof(int) || t == typeof(uint) || t == typeof(float)) return 4;
        if (t == typeof(long) || t == typeof(ulong) || t == typeof(double)) return 8;
        return Block; // references, DateTime, TimeSpan, structs
    }
}
