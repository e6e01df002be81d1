using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace Edge.Firmware.Tests.Hardware;

/// <summary>
/// Checks every hardware/*/pins.json — the pin map the ESP32 firmware and the installer tool both read —
/// against its JSON Schema and against ESP32 electrical facts (ESP32 / ESP32-WROOM-32E datasheets): pins
/// that exist, input-only pins, strapping pins, and ADC1 (ADC2 is unusable while Wi-Fi is on).
/// </summary>
public class PinMapTests
{
    // GPIOs brought out on an ESP32-WROOM-32E. 6–11 drive the module's flash; 20, 24, 28–31 do not exist on
    // the ESP32; 37 and 38 are not brought out on the module.
    private static readonly int[] ModuleGpios =
        [0, 1, 2, 3, 4, 5, 12, 13, 14, 15, 16, 17, 18, 19, 21, 22, 23, 25, 26, 27, 32, 33, 34, 35, 36, 39];

    // 1 and 3 are UART0 TX/RX (nanoFramework's debug and deployment channel): reserved too.
    private static readonly int[] ReservedGpios = [1, 3];

    private static readonly int[] InputOnlyGpios = [34, 35, 36, 37, 38, 39];
    private static readonly int[] StrappingGpios = [0, 2, 5, 12, 15];

    // ADC1 channel → GPIO (ESP32 datasheet, "Peripheral pin configurations", ADC1_CH0…CH7).
    private static readonly Dictionary<int, int> Adc1ChannelGpio = new()
    {
        [0] = 36, [1] = 37, [2] = 38, [3] = 39, [4] = 32, [5] = 33, [6] = 34, [7] = 35,
    };

    private static readonly string[] OutputUses =
        ["pwm-out", "digital-out", "i2c-sda", "i2c-scl", "spi-mosi", "spi-sck", "spi-cs", "uart-tx"];

    private static readonly string[] NodeTypes = ["streetlight", "waterlevel", "busstop"];

    // Built once: the schema has an $id, and JsonSchema.Net registers schemas globally by it.
    private static readonly Lazy<JsonSchema> Schema = new(
        () => JsonSchema.FromText(File.ReadAllText(Path.Combine(RepoRoot(), "hardware", "pins.schema.json"))));

    public static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir != null && !File.Exists(Path.Combine(dir.FullName, "Edge.sln")))
            dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Edge.sln not found above " + AppContext.BaseDirectory);
    }

    private static string[] PinMapPaths()
        => Directory.GetFiles(Path.Combine(RepoRoot(), "hardware"), "pins.json", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(RepoRoot(), f))
            .OrderBy(f => f, StringComparer.Ordinal).ToArray();

    public static TheoryData<string> PinMaps() => new(PinMapPaths());

    private static JsonObject Load(string relativePath)
        => JsonNode.Parse(File.ReadAllText(Path.Combine(RepoRoot(), relativePath)))!.AsObject();

    private static IEnumerable<(string Function, int Gpio, string Use, JsonObject Pin)> Pins(JsonObject map)
    {
        foreach (var (function, node) in map["pins"]!.AsObject())
        {
            var pin = node!.AsObject();
            yield return (function, pin["gpio"]!.GetValue<int>(), pin["use"]!.GetValue<string>(), pin);
        }
    }

    [Fact]
    public void There_is_a_pin_map_for_every_node_type()
    {
        var found = PinMapPaths();
        foreach (var type in NodeTypes)
            Assert.Contains(Path.Combine("hardware", type, "pins.json"), found);
    }

    [Theory]
    [MemberData(nameof(PinMaps))]
    public void Pin_map_is_valid_against_the_schema(string path)
    {
        var schema = Schema.Value;
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoRoot(), path)));
        var result = schema.Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        IEnumerable<EvaluationResults> details = result.Details ?? (IEnumerable<EvaluationResults>)[];
        var errors = details
            .Where(d => d.Errors != null)
            .SelectMany(d => d.Errors!.Select(e => d.InstanceLocation + ": " + e.Value))
            .ToArray();
        Assert.True(result.IsValid, path + " is not valid: " + string.Join("; ", errors));
    }

    [Fact]
    public void Schema_rejects_a_map_with_a_wrong_version_and_an_adc_pin_without_channel()
    {
        // Guards against a schema so loose it accepts anything.
        var schema = Schema.Value;
        using var bad = JsonDocument.Parse(
            """{"schema":2,"nodeType":"streetlight","board":"x","module":"ESP32-WROOM-32E","pins":{"a":{"gpio":34,"use":"adc-in"}}}""");
        Assert.False(schema.Evaluate(bad.RootElement).IsValid);
    }

    [Theory]
    [MemberData(nameof(PinMaps))]
    public void Header_names_schema_version_board_and_the_folders_node_type(string path)
    {
        var map = Load(path);
        Assert.Equal(1, map["schema"]!.GetValue<int>());
        Assert.False(string.IsNullOrWhiteSpace(map["board"]!.GetValue<string>()));
        Assert.Equal(Path.GetFileName(Path.GetDirectoryName(path)), map["nodeType"]!.GetValue<string>());
    }

    /// <summary>Every way a pin map breaks the ESP32's electrical rules, as messages.</summary>
    public static List<string> ElectricalViolations(JsonObject map)
    {
        var found = new List<string>();
        var pins = Pins(map).ToArray();
        foreach (var p in pins)
        {
            if (!ModuleGpios.Contains(p.Gpio))
                found.Add($"{p.Function} on GPIO {p.Gpio}, which the ESP32-WROOM-32E does not offer");
            if (ReservedGpios.Contains(p.Gpio))
                found.Add($"{p.Function} on GPIO {p.Gpio}, the UART0 console");
            if (OutputUses.Contains(p.Use) && InputOnlyGpios.Contains(p.Gpio))
                found.Add($"{p.Function} ({p.Use}) on input-only GPIO {p.Gpio}");
            if (OutputUses.Contains(p.Use) && StrappingGpios.Contains(p.Gpio))
                found.Add($"{p.Function} ({p.Use}) on strapping GPIO {p.Gpio}: may stop the board from booting");
            if (p.Use == "adc-in")
            {
                // ADC1 only: ADC2 (GPIO 0, 2, 4, 12–15, 25–27) fails while Wi-Fi is on.
                if (p.Gpio < 32 || p.Gpio > 39)
                    found.Add($"{p.Function}: analog input on GPIO {p.Gpio}, which is not an ADC1 pin");
                var channel = p.Pin["adcChannel"]?.GetValue<int>() ?? -1;
                if (!Adc1ChannelGpio.TryGetValue(channel, out var gpio) || gpio != p.Gpio)
                    found.Add($"{p.Function}: ADC1 channel {channel} is not GPIO {p.Gpio}");
            }
        }
        foreach (var g in pins.GroupBy(p => p.Gpio).Where(g => g.Count() > 1))
            found.Add($"GPIO {g.Key} used twice: {string.Join(", ", g.Select(p => p.Function))}");
        return found;
    }

    [Theory]
    [MemberData(nameof(PinMaps))]
    public void Pin_map_follows_the_esp32_electrical_rules(string path)
    {
        var map = Load(path);
        Assert.NotEmpty(Pins(map));
        Assert.Empty(ElectricalViolations(map));
    }

    [Fact]
    public void The_electrical_rules_catch_each_kind_of_mistake()
    {
        var bad = JsonNode.Parse("""
            {"pins":{"relay":{"gpio":34,"use":"digital-out"},"pwmA":{"gpio":25,"use":"pwm-out"},"echo":{"gpio":25,"use":"digital-in"},
                     "adc2":{"gpio":4,"use":"adc-in","adcChannel":0},"boot":{"gpio":12,"use":"digital-out"},
                     "flash":{"gpio":7,"use":"digital-in"},"wrongChannel":{"gpio":33,"use":"adc-in","adcChannel":4}}}
            """)!.AsObject();
        var found = ElectricalViolations(bad);
        Assert.Contains("relay (digital-out) on input-only GPIO 34", found);
        Assert.Contains("GPIO 25 used twice: pwmA, echo", found);
        Assert.Contains("adc2: analog input on GPIO 4, which is not an ADC1 pin", found);
        Assert.Contains("boot (digital-out) on strapping GPIO 12: may stop the board from booting", found);
        Assert.Contains("flash on GPIO 7, which the ESP32-WROOM-32E does not offer", found);
        Assert.Contains("adc2: ADC1 channel 0 is not GPIO 4", found);
        Assert.Contains("wrongChannel: ADC1 channel 4 is not GPIO 33", found);
        Assert.Equal(7, found.Count);
    }

    [Theory]
    [MemberData(nameof(PinMaps))]
    public void Serial_provisioning_has_the_boot_button_and_a_uart_of_its_own(string path)
    {
        // GPIO0 is the DevKit's BOOT button; UART0 (COM1) carries nanoFramework's wire protocol, and the peripheral's
        // UART is busy with its device: provisioning needs another.
        var map = Load(path);
        var button = map["pins"]!["bootButton"]!.AsObject();
        Assert.Equal((0, "digital-in", true), (button["gpio"]!.GetValue<int>(), button["use"]!.GetValue<string>(), button["activeLow"]!.GetValue<bool>()));
        var provisioning = map["provisioningUart"]!.AsObject();
        Assert.Equal(115200, provisioning["baud"]!.GetValue<int>());
        Assert.NotEqual(map["uart"]?["port"]?.GetValue<string>(), provisioning["port"]!.GetValue<string>());
    }

    [Theory]
    [MemberData(nameof(PinMaps))]
    public void Bus_sections_point_at_pins_with_the_right_use(string path)
    {
        var map = Load(path);
        var pins = Pins(map).ToDictionary(p => p.Function, p => p.Use);
        void Expect(string section, string member, string use)
        {
            if (map[section] is not JsonObject bus || bus[member] is null) return;
            var function = bus[member]!.GetValue<string>();
            Assert.True(pins.TryGetValue(function, out var actual), $"{path}: {section}.{member} names unknown pin '{function}'");
            Assert.Equal(use, actual);
        }
        Expect("pwm", "pin", "pwm-out");
        Expect("i2c", "sda", "i2c-sda");
        Expect("i2c", "scl", "i2c-scl");
        Expect("spi", "mosi", "spi-mosi");
        Expect("spi", "miso", "spi-miso");
        Expect("spi", "sck", "spi-sck");
        Expect("spi", "cs", "spi-cs");
        Expect("uart", "rx", "uart-rx");
        Expect("uart", "tx", "uart-tx");
        Expect("provisioningUart", "rx", "uart-rx");
        Expect("provisioningUart", "tx", "uart-tx");
        // And the other way round: a bus pin that no bus section uses is a wiring mistake.
        foreach (var (function, use) in pins)
        {
            string[]? sections = use switch
            {
                "pwm-out" => ["pwm"], "i2c-sda" or "i2c-scl" => ["i2c"], "uart-rx" or "uart-tx" => ["uart", "provisioningUart"],
                "spi-mosi" or "spi-miso" or "spi-sck" or "spi-cs" => ["spi"], _ => null,
            };
            if (sections != null)
                Assert.True(sections.Any(section => map[section] is JsonObject s && s.Any(kv => kv.Value is JsonValue v && v.TryGetValue<string>(out var n) && n == function)),
                    $"{path}: pin '{function}' ({use}) is not used by the '{string.Join("' or '", sections)}' section");
        }
    }
}
