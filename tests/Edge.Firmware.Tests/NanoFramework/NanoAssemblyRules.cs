using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace Edge.Firmware.Tests.NanoFramework;

/// <summary>
/// Reads a compiled assembly with System.Reflection.Metadata and lists everything in it that the
/// nanoFramework runtime (1.17, no generics) cannot run or cannot resolve: generic type and method
/// definitions, generic instantiations (Action&lt;T&gt;, Nullable&lt;T&gt;, ValueTuple…), and references to
/// assemblies outside the allowed nanoFramework set.
/// </summary>
public static class NanoAssemblyRules
{
    /// <summary>Assemblies firmware core code may reference: nanoFramework's own, by their real names.</summary>
    public static readonly string[] AllowedForCore =
    [
        "mscorlib",
        "System.Math",
        "nanoFramework.System.Collections",
        "nanoFramework.System.Text",
    ];

    public static IReadOnlyList<string> Violations(string assemblyPath, IEnumerable<string> allowedReferences)
    {
        using var stream = File.OpenRead(assemblyPath);
        return Violations(stream, allowedReferences);
    }

    public static IReadOnlyList<string> Violations(Stream assembly, IEnumerable<string> allowedReferences)
    {
        var allowed = new HashSet<string>(allowedReferences, StringComparer.Ordinal);
        var found = new List<string>();
        using var pe = new PEReader(assembly);
        var md = pe.GetMetadataReader();

        foreach (var handle in md.AssemblyReferences)
        {
            var name = md.GetString(md.GetAssemblyReference(handle).Name);
            if (!allowed.Contains(name))
                found.Add($"references assembly '{name}', which is not in the allowed nanoFramework set");
        }

        foreach (var handle in md.TypeDefinitions)
        {
            var type = md.GetTypeDefinition(handle);
            var typeName = FullName(md, type);
            if (type.GetGenericParameters().Count > 0)
                found.Add($"defines generic type {typeName}");
            foreach (var mh in type.GetMethods())
            {
                var method = md.GetMethodDefinition(mh);
                if (method.GetGenericParameters().Count > 0)
                    found.Add($"defines generic method {typeName}.{md.GetString(method.Name)}");
            }
        }

        // Constructed generic types (Action<int>, int?, ValueTuple) hide in signatures: of fields,
        // methods, locals, member references and type specs. Decode them all.
        var provider = new GenericUseFinder();
        foreach (var handle in md.TypeDefinitions)
        {
            var type = md.GetTypeDefinition(handle);
            foreach (var fh in type.GetFields())
                Decode(found, FullName(md, type) + "." + md.GetString(md.GetFieldDefinition(fh).Name),
                    () => md.GetFieldDefinition(fh).DecodeSignature(provider, null));
            foreach (var mh in type.GetMethods())
            {
                var method = md.GetMethodDefinition(mh);
                var where = FullName(md, type) + "." + md.GetString(method.Name);
                Decode(found, where, () => method.DecodeSignature(provider, null));
                if (method.RelativeVirtualAddress == 0) continue;
                var body = pe.GetMethodBody(method.RelativeVirtualAddress);
                if (!body.LocalSignature.IsNil)
                    Decode(found, where + " (locals)",
                        () => md.GetStandaloneSignature(body.LocalSignature).DecodeLocalSignature(provider, null));
            }
        }
        foreach (var handle in md.MemberReferences)
        {
            var member = md.GetMemberReference(handle);
            var where = "reference to " + md.GetString(member.Name);
            if (member.GetKind() == MemberReferenceKind.Method)
                Decode(found, where, () => member.DecodeMethodSignature(provider, null));
            else
                Decode(found, where, () => member.DecodeFieldSignature(provider, null));
        }
        for (int row = 1; row <= md.GetTableRowCount(TableIndex.TypeSpec); row++)
        {
            var spec = md.GetTypeSpecification(MetadataTokens.TypeSpecificationHandle(row));
            Decode(found, $"type spec {row}", () => spec.DecodeSignature(provider, null));
        }
        if (md.GetTableRowCount(TableIndex.MethodSpec) > 0)
            found.Add($"calls {md.GetTableRowCount(TableIndex.MethodSpec)} generic method instantiation(s)");

        return found;
    }

    private static void Decode(List<string> found, string where, Action decode)
    {
        try
        {
            decode();
        }
        catch (GenericUseException e)
        {
            found.Add($"uses generic type instantiation {e.Message} in {where}");
        }
    }

    private sealed class GenericUseException(string what) : Exception(what);

    /// <summary>Signature decoder that fails on the first generic instantiation it meets.</summary>
    private sealed class GenericUseFinder : ISignatureTypeProvider<string, object?>
    {
        public string GetGenericInstantiation(string genericType, System.Collections.Immutable.ImmutableArray<string> typeArguments)
            => throw new GenericUseException(genericType + "<" + string.Join(",", typeArguments) + ">");
        public string GetGenericMethodParameter(object? c, int index) => "!!" + index;
        public string GetGenericTypeParameter(object? c, int index) => "!" + index;
        public string GetArrayType(string elementType, ArrayShape shape) => elementType + "[,]";
        public string GetByReferenceType(string elementType) => elementType + "&";
        public string GetFunctionPointerType(MethodSignature<string> signature) => "fnptr";
        public string GetModifiedType(string modifier, string unmodifiedType, bool isRequired) => unmodifiedType;
        public string GetPinnedType(string elementType) => elementType;
        public string GetPointerType(string elementType) => elementType + "*";
        public string GetPrimitiveType(PrimitiveTypeCode typeCode) => typeCode.ToString();
        public string GetSZArrayType(string elementType) => elementType + "[]";
        public string GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind)
            => reader.GetString(reader.GetTypeDefinition(handle).Name);
        public string GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind)
            => reader.GetString(reader.GetTypeReference(handle).Name);
        public string GetTypeFromSpecification(MetadataReader reader, object? c, TypeSpecificationHandle handle, byte rawTypeKind)
            => reader.GetTypeSpecification(handle).DecodeSignature(this, c);
    }

    private static string FullName(MetadataReader md, TypeDefinition type)
    {
        var ns = md.GetString(type.Namespace);
        var name = md.GetString(type.Name);
        return ns.Length == 0 ? name : ns + "." + name;
    }
}
