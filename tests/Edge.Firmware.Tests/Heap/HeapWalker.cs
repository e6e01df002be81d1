using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace Edge.Firmware.Tests.Heap;

/// <summary>
/// Walks the object graph the firmware core keeps reachable (the .NET build of the same source) and sums it
/// with nanoFramework's layout (<see cref="NanoHeapLayout"/>). Each object is counted once. The walk stops at
/// objects of other assemblies (the test doubles standing in for drivers, which the budget counts apart) and
/// refuses any other BCL type than strings, arrays and primitives: the core uses nothing else on the device,
/// so a type the layout does not know is a model error, not something to guess.
/// </summary>
public sealed class HeapWalker
{
    private static readonly Assembly Core = typeof(Edge.Firmware.Runtime.NodeRuntime).Assembly;
    private readonly HashSet<object> _seen = new(ReferenceEqualityComparer.Instance);
    private readonly Dictionary<string, long> _byOwner = new(StringComparer.Ordinal);

    private readonly HeapWalker? _counted;

    /// <param name="counted">Objects that walker has counted are followed but not counted again (what a later walk finds new).</param>
    public HeapWalker(HeapWalker? counted = null)
    {
        _counted = counted;
    }

    public long Bytes { get; private set; }

    /// <summary>Bytes per owning class (arrays and strings are charged to the class whose field holds them).</summary>
    public IReadOnlyDictionary<string, long> ByOwner => _byOwner;

    /// <summary>Whether the walks so far reached <paramref name="o"/> (the very instance).</summary>
    public bool Reached(object o) => _seen.Contains(o);

    private bool Includes(object o) => _seen.Contains(o) || (_counted != null && _counted.Includes(o));

    /// <summary>Follows an already counted object's references without counting it.</summary>
    private void Follow(Stack<(object, string)> stack, object value, string by)
    {
        if (value is string) return;
        if (value is Array a)
        {
            var element = a.GetType().GetElementType()!;
            if (element.IsPrimitive || element.IsEnum) return;
            foreach (var item in a) if (item != null) PushElement(stack, element, item, by);
            return;
        }
        if (value.GetType().IsPrimitive) return;
        PushFields(stack, value, value.GetType().Name);
    }

    public void Add(object? root, string owner)
    {
        var stack = new Stack<(object Value, string Owner)>();
        if (root != null) stack.Push((root, owner));
        while (stack.Count > 0)
        {
            var (value, by) = stack.Pop();
            var type = value.GetType();
            if (!Counted(type) || !_seen.Add(value)) continue;
            bool old = _counted != null && _counted.Includes(value);
            if (old) { Follow(stack, value, by); continue; }
            switch (value)
            {
                case string s:
                    Charge(by, NanoHeapLayout.String(s, ReferenceEquals(string.IsInterned(s), s))); // a literal is the interned instance itself
                    break;
                case Array a:
                    var element = type.GetElementType()!;
                    Charge(by, NanoHeapLayout.Array(element, a.Length));
                    if (element.IsPrimitive || element.IsEnum) break;
                    foreach (var item in a)
                    {
                        if (item == null) continue;
                        if (NanoHeapLayout.IsBoxedStruct(element)) Charge(by, NanoHeapLayout.Instance(element));
                        PushElement(stack, element, item, by);
                    }
                    break;
                case var boxed when type.IsPrimitive || type.IsEnum:
                    Charge(by, 2 * NanoHeapLayout.Block);
                    break;
                case var lockObject when type == typeof(object):
                    Charge(by, NanoHeapLayout.Block);
                    break;
                default:
                    if (type.Assembly != Core) throw new NotSupportedException("heap model: no nanoFramework layout for " + type.FullName);
                    Charge(Name(type), NanoHeapLayout.Instance(type));
                    PushFields(stack, value, Name(type));
                    break;
            }
        }
    }

    /// <summary>
    /// The statics of <paramref name="assembly"/> as a device has them after boot: every static constructor run
    /// (nanoFramework runs all of them), every mutable static without an initialiser (a cache built on first
    /// use, such as the display fonts) back to null, whatever other tests in this process built.
    /// </summary>
    public static void Boot(Assembly assembly)
    {
        foreach (var type in assembly.GetTypes())
        {
            if (type.ContainsGenericParameters) continue;
            RuntimeHelpers.RunClassConstructor(type.TypeHandle);
            foreach (var f in type.GetFields(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                if (!f.IsLiteral && !f.IsInitOnly && !f.FieldType.IsValueType) f.SetValue(null, null);
        }
    }

    /// <summary>Adds the static fields of <paramref name="assembly"/> and what they hold (tables built on first use included, once built).</summary>
    public void AddStatics(Assembly assembly)
    {
        foreach (var type in assembly.GetTypes())
        {
            if (type.ContainsGenericParameters) continue;
            foreach (var f in type.GetFields(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                if (f.IsLiteral) continue; // const: inlined, no slot
                Charge("static fields", NanoHeapLayout.Block);
                Add(f.GetValue(null), "static " + Name(type));
            }
        }
    }

    /// <summary>A struct element lives in its boxed instance (counted with the array); a reference element is an object of its own.</summary>
    private void PushElement(Stack<(object, string)> stack, Type element, object item, string owner)
    {
        if (NanoHeapLayout.IsBoxedStruct(element)) PushFields(stack, item, owner);
        else stack.Push((item, owner));
    }

    private void PushFields(Stack<(object, string)> stack, object value, string owner)
    {
        foreach (var f in NanoHeapLayout.InstanceFields(value.GetType()))
        {
            if (f.FieldType.IsPrimitive || f.FieldType.IsEnum) continue;
            var v = f.GetValue(value);
            if (v == null) continue;
            if (NanoHeapLayout.IsBoxedStruct(f.FieldType))
            {
                Charge(owner, NanoHeapLayout.Instance(f.FieldType));
                PushFields(stack, v, owner);
                continue;
            }
            stack.Push((v, owner));
        }
    }

    /// <summary>Core objects, strings, arrays and boxed primitives are on the node's heap; other assemblies' objects are doubles.</summary>
    private static bool Counted(Type t)
        => t.Assembly == Core || t == typeof(string) || t.IsArray || t.IsPrimitive || t.Assembly == typeof(object).Assembly;

    private static string Name(Type t) => t.Name;

    private void Charge(string owner, long bytes)
    {
        Bytes += bytes;
        _byOwner[owner] = _byOwner.TryGetValue(owner, out long b) ? b + bytes : bytes;
    }
}
