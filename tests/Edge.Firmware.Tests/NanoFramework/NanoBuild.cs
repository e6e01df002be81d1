using System;
using System.IO;
using System.Linq;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Edge.Firmware.Tests.NanoFramework;

/// <summary>Paths of the nanoFramework-flavoured build outputs, and a compiler for probe snippets.</summary>
public static class NanoBuild
{
    public static string CoreAssembly => Metadata("NanoCoreAssembly");
    public static string Mscorlib => Metadata("NanoMscorlib");
    public static string MathFacade => Metadata("NanoMathFacade");

    private static string Metadata(string key)
    {
        var value = typeof(NanoBuild).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == key).Value!;
        return Path.GetFullPath(value);
    }

    /// <summary>
    /// Compiles C# source exactly as the nanoFramework build does: no standard library, only the real
    /// nanoFramework mscorlib and our facades. Returns the PE image, or the compiler's errors.
    /// </summary>
    public static (byte[]? Image, string[] Errors) Compile(string source)
    {
        var compilation = CSharpCompilation.Create(
            "Probe",
            [CSharpSyntaxTree.ParseText(source)],
            [MetadataReference.CreateFromFile(Mscorlib), MetadataReference.CreateFromFile(MathFacade)],
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        using var pe = new MemoryStream();
        var result = compilation.Emit(pe);
        var errors = result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)
            .Select(d => d.ToString()).ToArray();
        return (result.Success ? pe.ToArray() : null, errors);
    }
}
