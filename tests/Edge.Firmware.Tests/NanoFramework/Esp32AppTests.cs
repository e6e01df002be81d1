using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Edge.Firmware.Tests.NanoFramework;

/// <summary>
/// The ESP32 nanoFramework projects (.nfproj + packages.config, built only by Visual Studio with the
/// nanoFramework extension) and their SDK-style compile checks (built by `dotnet build Edge.sln`) must agree:
/// same source files, package versions equal to the facades README, reference versions equal to the facade
/// assemblies, and check outputs that nanoFramework could load (no generics, only nanoFramework references).
/// </summary>
public class Esp32AppTests
{
    private static readonly XNamespace Msb = "http://schemas.microsoft.com/developer/msbuild/2003";

    /// <summary>Folder under firmware/ → project name (the .nfproj and .Check.csproj carry it).</summary>
    public static TheoryData<string> Projects() => new(
        "Edge.Firmware.Esp32.Drivers", "Edge.Firmware.Esp32.StreetLight", "Edge.Firmware.Esp32.BusStop", "Edge.Firmware.Esp32.WaterLevel");

    public static TheoryData<string> Apps() => new(
        "Edge.Firmware.Esp32.StreetLight", "Edge.Firmware.Esp32.BusStop", "Edge.Firmware.Esp32.WaterLevel");

    /// <summary>Every folder with a .nfproj, including the core's nanoFramework class library.</summary>
    public static TheoryData<string> NanoProjectFiles()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.GetFiles(Repo.File("firmware"), "*.nfproj", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            data.Add(Path.GetRelativePath(Repo.Root, f).Replace('\\', '/'));
        return data;
    }

    private static string Dir(string project) => Repo.File(Path.Combine("firmware", project));

    private static string Configuration()
    {
        var parts = AppContext.BaseDirectory.Split(Path.DirectorySeparatorChar);
        var bin = Array.LastIndexOf(parts, "bin");
        return bin >= 0 && bin + 1 < parts.Length ? parts[bin + 1] : "Debug";
    }

    internal static string CheckOutput(string project)
        => Path.Combine(Dir(project), "bin", "check", Configuration(), project + ".dll");

    private static string[] CompileItems(XDocument doc, XNamespace ns)
        => doc.Descendants(ns + "Compile").Select(e => (string)e.Attribute("Include")!)
            .Select(p => p.Replace('\\', '/')).Order(StringComparer.Ordinal).ToArray();

    /// <summary>Facade assembly → (NuGet package, package version, assembly version) from the README table.</summary>
    private static Dictionary<string, (string Package, string Version, string AssemblyVersion)> FacadeTable()
    {
        var table = new Dictionary<string, (string, string, string)>(StringComparer.Ordinal);
        var row = new Regex(@"^\|\s*([A-Za-z0-9.]+)\s*\|\s*([A-Za-z0-9.]+)[^|]*\|\s*(\d+\.\d+\.\d+)\s*\|\s*(\d+\.\d+\.\d+\.\d+)\s*\|");
        foreach (var line in File.ReadLines(Repo.File("firmware/NanoFramework.Facades/README.md")))
        {
            var m = row.Match(line);
            if (m.Success) table[m.Groups[1].Value] = (m.Groups[2].Value, m.Groups[3].Value, m.Groups[4].Value);
        }
        return table;
    }

    private static Dictionary<string, string> PackagesConfig(string folder)
        => XDocument.Load(Path.Combine(folder, "packages.config")).Descendants("package")
            .ToDictionary(p => (string)p.Attribute("id")!, p => (string)p.Attribute("version")!, StringComparer.Ordinal);

    [Theory]
    [MemberData(nameof(Projects))]
    public void Nfproj_and_check_project_compile_the_same_files(string project)
    {
        var nf = CompileItems(XDocument.Load(Path.Combine(Dir(project), project + ".nfproj")), Msb);
        var check = CompileItems(XDocument.Load(Path.Combine(Dir(project), project + ".Check.csproj")), XNamespace.None);
        Assert.NotEmpty(nf);
        Assert.Equal(nf, check);
        foreach (var file in nf) Assert.True(File.Exists(Path.Combine(Dir(project), file)), $"{project}: {file} does not exist");
        // And nothing in the folder is left out of both (a new driver must be listed in both projects).
        var onDisk = Directory.GetFiles(Dir(project), "*.cs", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(Dir(project), f).Replace('\\', '/'))
            .Where(f => !f.StartsWith("bin/", StringComparison.Ordinal) && !f.StartsWith("obj/", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(onDisk, nf);
    }

    [Theory]
    [MemberData(nameof(NanoProjectFiles))]
    public void Nfproj_is_a_nanoFramework_project(string nfproj)
    {
        var doc = XDocument.Load(Repo.File(nfproj));
        Assert.Contains("{11A8DD76-328B-46DF-9F39-F559912D0360}", (string?)doc.Descendants(Msb + "ProjectTypeGuids").Single());
        var imports = doc.Descendants(Msb + "Import").Select(i => (string)i.Attribute("Project")!).ToArray();
        Assert.Contains("$(NanoFrameworkProjectSystemPath)NFProjectSystem.Default.props", imports);
        Assert.Contains("$(NanoFrameworkProjectSystemPath)NFProjectSystem.props", imports);
        Assert.Contains("$(NanoFrameworkProjectSystemPath)NFProjectSystem.CSharp.targets", imports);
        var name = Path.GetFileNameWithoutExtension(nfproj);
        Assert.Equal(name, (string?)doc.Descendants(Msb + "AssemblyName").Single());
        var outputType = (string?)doc.Descendants(Msb + "OutputType").Single();
        Assert.Equal(name.StartsWith("Edge.Firmware.Esp32.", StringComparison.Ordinal) && name != "Edge.Firmware.Esp32.Drivers" ? "Exe" : "Library", outputType);
    }

    [Theory]
    [MemberData(nameof(NanoProjectFiles))]
    public void Packages_config_pins_the_facade_versions_and_the_hint_paths_follow_it(string nfproj)
    {
        var folder = Path.GetDirectoryName(Repo.File(nfproj))!;
        var packages = PackagesConfig(folder);
        Assert.Equal("1.17.11", packages["nanoFramework.CoreLibrary"]);
        foreach (var (_, (package, version, _)) in FacadeTable())
            if (packages.TryGetValue(package, out var pinned)) Assert.Equal(version, pinned);
        // The three dependencies without facades, at the versions the README names.
        foreach (var (package, version) in new[] { ("nanoFramework.System.Collections", "1.5.75"), ("nanoFramework.System.IO.Streams", "1.1.96"), ("nanoFramework.System.Text", "1.3.42") })
            if (packages.TryGetValue(package, out var pinned)) Assert.Equal(version, pinned);

        var hint = new Regex(@"^\.\.\\packages\\(.+?)\.(\d+\.\d+\.\d+)\\lib\\([^\\]+)\.dll$");
        var doc = XDocument.Load(Repo.File(nfproj));
        var references = doc.Descendants(Msb + "Reference").ToArray();
        Assert.NotEmpty(references);
        foreach (var reference in references)
        {
            var path = (string)reference.Element(Msb + "HintPath")!;
            var m = hint.Match(path);
            Assert.True(m.Success, $"{nfproj}: unexpected HintPath {path}");
            Assert.True(packages.TryGetValue(m.Groups[1].Value, out var version), $"{nfproj}: {m.Groups[1].Value} is not in packages.config");
            Assert.Equal(version, m.Groups[2].Value);
            Assert.StartsWith(m.Groups[3].Value, (string)reference.Attribute("Include")!);
        }
    }

    [Theory]
    [MemberData(nameof(NanoProjectFiles))]
    public void Reference_versions_equal_the_facade_assembly_versions(string nfproj)
    {
        var facades = FacadeTable();
        var doc = XDocument.Load(Repo.File(nfproj));
        foreach (var reference in doc.Descendants(Msb + "Reference"))
        {
            var identity = ((string)reference.Attribute("Include")!).Split(',').Select(p => p.Trim()).ToArray();
            if (!facades.TryGetValue(identity[0], out var row)) continue;
            Assert.Contains("Version=" + row.AssemblyVersion, identity);
            var dll = Repo.File($"firmware/NanoFramework.Facades/{identity[0]}/bin/{Configuration()}/{identity[0]}.dll");
            using var pe = new PEReader(File.OpenRead(dll));
            var md = pe.GetMetadataReader();
            Assert.Equal(row.AssemblyVersion, md.GetAssemblyDefinition().Version.ToString());
        }
    }

    [Theory]
    [MemberData(nameof(Projects))]
    public void Check_build_has_no_generics_and_references_only_nanoFramework_facades_and_the_core(string project)
    {
        var output = CheckOutput(project);
        Assert.True(File.Exists(output), $"missing {output}: build Edge.sln");
        var allowed = FacadeTable().Keys.Append("mscorlib").Append("Edge.Firmware.Core").Append("Edge.Firmware.Esp32.Drivers");
        Assert.Empty(NanoAssemblyRules.Violations(output, allowed));
    }

    [Theory]
    [MemberData(nameof(Apps))]
    public void App_has_a_static_Main(string project)
    {
        using var pe = new PEReader(File.OpenRead(CheckOutput(project)));
        var md = pe.GetMetadataReader();
        var program = md.TypeDefinitions.Select(md.GetTypeDefinition)
            .Single(t => md.GetString(t.Name) == "Program" && md.GetString(t.Namespace) == project);
        var main = program.GetMethods().Select(md.GetMethodDefinition).Single(m => md.GetString(m.Name) == "Main");
        Assert.True((main.Attributes & System.Reflection.MethodAttributes.Static) != 0);
    }

    [Theory]
    [MemberData(nameof(Projects))]
    public void Check_project_is_in_Edge_sln(string project)
    {
        var sln = File.ReadAllText(Repo.File("Edge.sln"));
        Assert.Contains($"firmware\\{project}\\{project}.Check.csproj", sln);
    }

    [Fact]
    public void The_esp32_solution_lists_every_nfproj()
    {
        var sln = File.ReadAllText(Repo.File("firmware/Edge.Firmware.Esp32.sln"));
        foreach (var f in Directory.GetFiles(Repo.File("firmware"), "*.nfproj", SearchOption.AllDirectories))
            Assert.Contains(Path.GetRelativePath(Repo.File("firmware"), f).Replace('/', '\\'), sln);
    }
}
