using System.IO;
using System.Linq;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace Edge.Firmware.Tests.NanoFramework;

/// <summary>
/// The firmware core must run on nanoFramework 1.17: these tests read the nanoFramework-flavoured
/// build of Edge.Firmware.Core and prove the checks would catch a violation.
/// </summary>
public class NanoFrameworkRulesTests
{
    // nanoFramework's mscorlib is signed with this key; .NET's is not.
    private const string NanoMscorlibToken = "c07d481e9758c731";

    [Fact]
    public void Core_nano_build_has_no_generics_and_only_nanoFramework_references()
    {
        Assert.True(File.Exists(NanoBuild.CoreAssembly), $"missing {NanoBuild.CoreAssembly}: build Edge.sln");
        var violations = NanoAssemblyRules.Violations(NanoBuild.CoreAssembly, NanoAssemblyRules.AllowedForCore);
        Assert.Empty(violations);
    }

    [Fact]
    public void Core_nano_build_links_against_the_real_nanoFramework_mscorlib()
    {
        using var pe = new PEReader(File.OpenRead(NanoBuild.CoreAssembly));
        var md = pe.GetMetadataReader();
        var mscorlib = md.AssemblyReferences.Select(md.GetAssemblyReference)
            .Single(r => md.GetString(r.Name) == "mscorlib");
        var token = md.GetBlobBytes(mscorlib.PublicKeyOrToken);
        Assert.Equal(NanoMscorlibToken, System.Convert.ToHexStringLower(token));
        Assert.Equal(1, mscorlib.Version.Major);
    }

    [Fact]
    public void Core_nano_build_contains_the_same_types_as_the_dotnet_build()
    {
        static string[] PublicTypes(string path)
        {
            using var pe = new PEReader(File.OpenRead(path));
            var md = pe.GetMetadataReader();
            return md.TypeDefinitions.Select(md.GetTypeDefinition)
                .Where(t => (t.Attributes & System.Reflection.TypeAttributes.Public) != 0)
                .Select(t => md.GetString(t.Namespace) + "." + md.GetString(t.Name))
                // The compiler's blob types for array initialisers differ by design: the glyph tables are C# for
                // .NET hosts only (the device reads them from the bus-stop app's resources).
                .Where(n => !n.StartsWith(".__StaticArrayInitTypeSize=", System.StringComparison.Ordinal))
                .OrderBy(n => n, System.StringComparer.Ordinal).ToArray();
        }
        var dotnet = typeof(Edge.Firmware.Lighting.SunClock).Assembly.Location;
        Assert.Equal(PublicTypes(dotnet), PublicTypes(NanoBuild.CoreAssembly));
    }

    [Fact]
    public void A_user_defined_generic_class_is_caught()
    {
        var (image, errors) = NanoBuild.Compile("namespace P { public class Box<T> { public T Value; } }");
        Assert.Empty(errors); // nanoFramework's compiler accepts it; the runtime would not.
        var violations = NanoAssemblyRules.Violations(new MemoryStream(image!), NanoAssemblyRules.AllowedForCore);
        Assert.Contains(violations, v => v.Contains("generic type P.Box"));
    }

    [Fact]
    public void A_generic_method_and_a_generic_delegate_instantiation_are_caught()
    {
        var (image, errors) = NanoBuild.Compile(
            "namespace P { public static class U { public static T Id<T>(T x) { return x; } " +
            "public static System.Action<int> Handler; public static void Run() { Id(1); } } }");
        Assert.Empty(errors);
        var violations = NanoAssemblyRules.Violations(new MemoryStream(image!), NanoAssemblyRules.AllowedForCore);
        Assert.Contains(violations, v => v.Contains("generic method P.U.Id"));
        Assert.Contains(violations, v => v.Contains("generic type instantiation"));
        Assert.Contains(violations, v => v.Contains("generic method instantiation"));
    }

    [Theory]
    [InlineData("System.Collections.Generic.List<int> x = null;")] // no generic collections
    [InlineData("int? x = null;")]                                   // no Nullable<T>
    [InlineData("var x = (1, 2);")]                                  // no ValueTuple
    [InlineData("System.Threading.Tasks.Task x = null;")]            // no async
    [InlineData("System.Span<byte> x = default;")]                   // no Span<T>
    [InlineData("var x = new int[] { 1 }.Select(i => i);")]         // no LINQ
    // System.Math 1.5.116 has no float overloads of these: each binds to the double one, returning double.
    [InlineData("float x = Math.Sqrt(2f);")]
    [InlineData("float x = Math.Sin(1f);")]
    [InlineData("float x = Math.Floor(1.5f);")]
    [InlineData("float x = Math.Pow(2f, 3f);")]
    [InlineData("double x = Math.Abs(val: 1.0);")]                    // its parameter is 'value'
    public void Apis_nanoFramework_lacks_do_not_compile(string statement)
    {
        var (_, errors) = NanoBuild.Compile(
            "using System; using System.Linq; namespace P { public static class U { public static void Run() { " +
            statement + " } } }");
        Assert.NotEmpty(errors);
    }

    [Theory]
    // What System.Math 1.5.116 does have, beyond .NET's common ground: float Abs/Max/Min/Sign/Clamp, Cbrt, the
    // hyperbolic functions, IEEERemainder, and Clamp on long and ulong.
    [InlineData("float x = Math.Abs(-1f) + Math.Max(1f, 2f) + Math.Min(1f, 2f) + Math.Clamp(5f, 0f, 1f) + Math.Sign(-2f);")]
    [InlineData("double x = Math.Cbrt(8.0) + Math.Cosh(0.0) + Math.Sinh(0.0) + Math.Tanh(0.0) + Math.IEEERemainder(5.0, 3.0);")]
    [InlineData("long x = Math.Clamp(5L, 0L, 1L); ulong y = Math.Clamp(5UL, 0UL, 1UL);")]
    [InlineData("double x = Math.Abs(value: -1.0) + Math.Max(val1: 1.0, val2: 2.0) + Math.Round(a: 1.5);")]
    public void Math_members_the_real_library_has_compile(string statement)
    {
        var (_, errors) = NanoBuild.Compile(
            "using System; namespace P { public static class U { public static void Run() { " + statement + " } } }");
        Assert.Empty(errors);
    }

    [Fact]
    public void A_reference_outside_the_nanoFramework_set_is_caught()
    {
        // The .NET flavour of the same core references System.Runtime: exactly what must not happen on a node.
        var dotnet = typeof(Edge.Firmware.Lighting.SunClock).Assembly.Location;
        var violations = NanoAssemblyRules.Violations(dotnet, NanoAssemblyRules.AllowedForCore);
        Assert.Contains(violations, v => v.Contains("'System.Runtime'"));
    }
}
