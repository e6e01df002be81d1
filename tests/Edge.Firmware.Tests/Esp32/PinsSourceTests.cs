using System;
using System.IO;
using System.Text.Json;

namespace Edge.Firmware.Tests.Esp32;

/// <summary>Each ESP32 app's Pins.g.cs is exactly what its board's pins.json generates.</summary>
public class PinsSourceTests
{
    public static TheoryData<string, string> Apps()
    {
        var data = new TheoryData<string, string>();
        foreach (var (nodeType, app) in PinsSource.Apps) data.Add(nodeType, app);
        return data;
    }

    [Theory]
    [MemberData(nameof(Apps))]
    public void Pins_g_cs_is_generated_from_the_boards_pins_json(string nodeType, string app)
    {
        var json = File.ReadAllText(Repo.File($"hardware/{nodeType}/pins.json"));
        var expected = PinsSource.Generate(json, nodeType, app);
        var path = Repo.File($"firmware/{app}/Pins.g.cs");
        if (UpdateFlag.IsSet("EDGE_UPDATE_PINS")) File.WriteAllText(path, expected);
        Assert.True(File.Exists(path), $"missing {path}: run with EDGE_UPDATE_PINS=1");
        Assert.Equal(expected, File.ReadAllText(path).Replace("\r\n", "\n"));
    }

    [Theory]
    [MemberData(nameof(Apps))]
    public void Every_gpio_in_pins_json_appears_as_a_constant(string nodeType, string app)
    {
        // Independent of the generator: read pins.json directly and look for each pin's line in the file.
        using var doc = JsonDocument.Parse(File.ReadAllText(Repo.File($"hardware/{nodeType}/pins.json")));
        var source = File.ReadAllText(Repo.File($"firmware/{app}/Pins.g.cs"));
        foreach (var pin in doc.RootElement.GetProperty("pins").EnumerateObject())
        {
            var constant = char.ToUpperInvariant(pin.Name[0]) + pin.Name[1..];
            Assert.Contains($"public const int {constant} = {pin.Value.GetProperty("gpio").GetInt32()};", source);
        }
    }
}
