using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text.RegularExpressions;

namespace Edge.Firmware.Tests.NanoFramework;

/// <summary>
/// The nanoFramework reference facades (firmware/NanoFramework.Facades): each is built, carries the real
/// assembly's name and the version recorded in the facades README, references only mscorlib (the
/// nanoFramework one) and other facades, contains no generics, and declares the types the ESP32 apps use in
/// the real namespaces.
/// </summary>
public class FacadeTests
{
    private const string NanoMscorlibToken = "c07d481e9758c731";

    private static string FacadesDir => Path.Combine(Hardware.PinMapTests.RepoRoot(), "firmware", "NanoFramework.Facades");

    /// <summary>Every facade project: the folder name is the project and the real assembly name.</summary>
    private static string[] FacadeNames() =>
        Directory.GetDirectories(FacadesDir)
            .Where(d => File.Exists(Path.Combine(d, Path.GetFileName(d) + ".csproj")))
            .Select(Path.GetFileName).OfType<string>()
            .OrderBy(n => n, StringComparer.Ordinal).ToArray();

    public static TheoryData<string> Facades() => new(FacadeNames());

    private static string Configuration()
    {
        var parts = AppContext.BaseDirectory.Split(Path.DirectorySeparatorChar);
        var bin = Array.LastIndexOf(parts, "bin");
        return bin >= 0 && bin + 1 < parts.Length ? parts[bin + 1] : "Debug";
    }

    private static string AssemblyPath(string facade)
        => Path.Combine(FacadesDir, facade, "bin", Configuration(), facade + ".dll");

    /// <summary>Facade → (package version, assembly version), read from the README table.</summary>
    private static Dictionary<string, (string Package, string Assembly)> ReadmeVersions()
    {
        var table = new Dictionary<string, (string, string)>(StringComparer.Ordinal);
        var row = new Regex(@"^\|\s*([A-Za-z0-9.]+)\s*\|[^|]*\|\s*(\d+\.\d+\.\d+)\s*\|\s*(\d+\.\d+\.\d+\.\d+)\s*\|");
        foreach (var line in File.ReadLines(Path.Combine(FacadesDir, "README.md")))
        {
            var m = row.Match(line);
            if (m.Success) table[m.Groups[1].Value] = (m.Groups[2].Value, m.Groups[3].Value);
        }
        return table;
    }

    private static MetadataReader Open(string facade, out PEReader pe)
    {
        var path = AssemblyPath(facade);
        Assert.True(File.Exists(path), $"missing {path}: build Edge.sln");
        pe = new PEReader(File.OpenRead(path));
        return pe.GetMetadataReader();
    }

    [Fact]
    public void The_facades_the_esp32_apps_need_all_exist()
    {
        string[] needed =
        [
            "System.Device.Gpio", "System.Device.Pwm", "System.Device.Adc", "System.Device.I2c", "System.Device.Spi",
            "System.IO.Ports", "nanoFramework.Hardware.Esp32", "nanoFramework.Runtime.Native", "System.Device.Wifi",
            "nanoFramework.Networking.Sntp", "nanoFramework.M2Mqtt", "System.Math", "nanoFramework.Hardware.Esp32.Rmt",
        ];
        Assert.Empty(needed.Except(FacadeNames()));
    }

    [Theory]
    [MemberData(nameof(Facades))]
    public void Facade_has_the_real_assembly_name_and_the_version_in_the_readme(string facade)
    {
        var md = Open(facade, out var pe);
        using (pe)
        {
            var definition = md.GetAssemblyDefinition();
            Assert.Equal(facade, md.GetString(definition.Name));
            Assert.True(ReadmeVersions().TryGetValue(facade, out var versions), $"{facade} has no row in the facades README");
            Assert.Equal(versions.Assembly, definition.Version.ToString());
            Assert.StartsWith(versions.Package + ".", versions.Assembly);
        }
    }

    [Theory]
    [MemberData(nameof(Facades))]
    public void Facade_references_only_nano_mscorlib_and_other_facades_and_has_no_generics(string facade)
    {
        var allowed = FacadeNames().Append("mscorlib").ToArray();
        Assert.Empty(NanoAssemblyRules.Violations(AssemblyPath(facade), allowed));

        var md = Open(facade, out var pe);
        using (pe)
        {
            var mscorlib = md.AssemblyReferences.Select(md.GetAssemblyReference)
                .Single(r => md.GetString(r.Name) == "mscorlib");
            Assert.Equal(NanoMscorlibToken, Convert.ToHexStringLower(md.GetBlobBytes(mscorlib.PublicKeyOrToken)));
        }
    }

    [Theory]
    [MemberData(nameof(Facades))]
    public void Facade_is_in_the_solution(string facade)
    {
        var sln = File.ReadAllText(Path.Combine(Hardware.PinMapTests.RepoRoot(), "Edge.sln"));
        Assert.Contains($"firmware\\NanoFramework.Facades\\{facade}\\{facade}.csproj", sln);
    }

    [Theory]
    // The types the apps use, in the namespaces and assemblies of the real packages.
    [InlineData("System.Device.Gpio", "System.Device.Gpio.GpioController")]
    [InlineData("System.Device.Gpio", "System.Device.Gpio.PinValue")]
    [InlineData("System.Device.Pwm", "System.Device.Pwm.PwmChannel")]
    [InlineData("System.Device.Adc", "System.Device.Adc.AdcController")]
    [InlineData("System.Device.I2c", "System.Device.I2c.I2cDevice")]
    [InlineData("System.Device.Spi", "System.Device.Spi.SpiDevice")]
    [InlineData("System.IO.Ports", "System.IO.Ports.SerialPort")]
    [InlineData("nanoFramework.Hardware.Esp32", "nanoFramework.Hardware.Esp32.Configuration")]
    [InlineData("nanoFramework.Hardware.Esp32", "nanoFramework.Hardware.Esp32.Sleep")]
    [InlineData("nanoFramework.Runtime.Native", "nanoFramework.Runtime.Native.Power")]
    [InlineData("System.Device.Wifi", "nanoFramework.Networking.WifiNetworkHelper")]
    [InlineData("nanoFramework.Networking.Sntp", "nanoFramework.Networking.Sntp")]
    [InlineData("nanoFramework.M2Mqtt", "nanoFramework.M2Mqtt.MqttClient")]
    [InlineData("nanoFramework.M2Mqtt.Core", "nanoFramework.M2Mqtt.Messages.MqttQoSLevel")]
    [InlineData("nanoFramework.M2Mqtt.Core", "nanoFramework.M2Mqtt.IMqttClient")]
    [InlineData("System.Net", "System.Security.Cryptography.X509Certificates.X509Certificate")]
    public void Type_is_declared_in_the_real_namespace(string facade, string fullName)
    {
        var md = Open(facade, out var pe);
        using (pe)
        {
            var names = md.TypeDefinitions.Select(md.GetTypeDefinition)
                .Where(t => t.GetDeclaringType().IsNil) // top-level types; nested ones have the outer type as namespace here
                .Select(t => md.GetString(t.Namespace) + "." + md.GetString(t.Name));
            Assert.Contains(fullName, names);
        }
    }

    [Fact]
    public void Mqtt_client_events_are_typed_with_the_delegates_nested_in_IMqttClient()
    {
        // In the real package the events of MqttClient use IMqttClient's nested delegates from the Core
        // assembly; an app that names the handler type must compile against the same.
        var md = Open("nanoFramework.M2Mqtt", out var pe);
        using (pe)
        {
            var client = md.TypeDefinitions.Select(md.GetTypeDefinition)
                .Single(t => md.GetString(t.Name) == "MqttClient");
            var events = client.GetEvents().Select(md.GetEventDefinition).ToArray();
            var closed = events.Single(e => md.GetString(e.Name) == "ConnectionClosed");
            Assert.Equal(HandleKind.TypeReference, closed.Type.Kind);
            var handler = md.GetTypeReference((TypeReferenceHandle)closed.Type);
            Assert.Equal("ConnectionClosedEventHandler", md.GetString(handler.Name));
            Assert.Equal(HandleKind.TypeReference, handler.ResolutionScope.Kind);
            var outer = md.GetTypeReference((TypeReferenceHandle)handler.ResolutionScope);
            Assert.Equal("IMqttClient", md.GetString(outer.Name));
            var scope = md.GetAssemblyReference((AssemblyReferenceHandle)outer.ResolutionScope);
            Assert.Equal("nanoFramework.M2Mqtt.Core", md.GetString(scope.Name));
        }
    }
}
