using System.IO;
using System.Linq;
using System.Text;
using Xunit.Abstractions;

namespace Edge.Firmware.Tests.Heap;

/// <summary>
/// The managed-heap budget of every ESP32 app (hardware/heap.md): at most 48 KB retained and 64 KB at the peak
/// of the largest inbound message, so that M2Mqtt, Wi-Fi and TLS keep their room in a plain ESP32's ~90 KB.
/// </summary>
[Collection(HeapModelCollection.Name)]
public class HeapBudgetTests(ITestOutputHelper output)
{
    /// <summary>Every app is held to the budget, the bus stop with a full day's timetable on the 7.5" panel.</summary>
    public static TheoryData<string> BudgetedApps() => new(AppHeapModel.Apps);

    [Theory]
    [MemberData(nameof(BudgetedApps))]
    public void Every_app_fits_the_heap_budget(string app)
    {
        var heap = AppHeapModel.Measure(app);
        output.WriteLine(Row(heap));
        Assert.True(heap.Retained <= AppHeapModel.RetainedBudget, app + ": " + heap.Retained + " B retained > 48 KB (" + Detail(heap) + ")");
        Assert.True(heap.Peak <= AppHeapModel.PeakBudget, app + ": " + heap.Peak + " B at the peak > 64 KB (" + Detail(heap) + ")");
    }

    /// <summary>
    /// The bus stop's glyph caches hold what a frame shows: redrawing the same content reads no glyph from flash
    /// (on the device each read allocates the glyph's bytes), so a minute's redraw allocates nothing.
    /// </summary>
    [Fact]
    public void Bus_stop_redraws_its_content_without_reading_glyphs_again()
    {
        var heap = AppHeapModel.Measure("BusStop");
        Assert.Equal(0, heap.GlyphReadsOnRedraw);
    }

    [Fact]
    public void The_heap_table_in_hardware_is_what_the_model_counts()
    {
        string doc = File.ReadAllText(Repo.File("hardware/heap.md"));
        string table = Table();
        output.WriteLine(table);
        Assert.True(doc.Contains(table), "hardware/heap.md is out of date; its table must read:\n" + table);
    }

    /// <summary>The per-app table of hardware/heap.md (KB with one decimal).</summary>
    public static string Table()
    {
        var sb = new StringBuilder();
        sb.Append("| app | core statics | node | M2MqttLink | **retained** | inbound limit | new objects of the largest message | **peak** | largest holders |\n");
        sb.Append("|---|---:|---:|---:|---:|---:|---:|---:|---|\n");
        foreach (var app in AppHeapModel.Apps) sb.Append(Row(AppHeapModel.Measure(app))).Append('\n');
        return sb.ToString();
    }

    private static string Row(AppHeap h)
        => "| " + h.App + " | " + Kb(h.Statics) + " | " + Kb(h.Node) + " | " + Kb(h.Link) + " | **" + Kb(h.Retained) + "** | " + Kb(h.InboundBytes)
           + " | " + Kb(h.InboundNew) + " | **" + Kb(h.Peak) + "** | " + string.Join(", ", h.Largest.Take(5).Select(p => p.Key + " " + Kb(p.Value))) + " |";

    private static string Detail(AppHeap h) => string.Join(", ", h.Largest.Select(p => p.Key + " " + p.Value));

    private static string Kb(long bytes) => (bytes / 1024.0).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>The model resets the core's lazily built statics (a device's boot): nothing else may run meanwhile.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class HeapModelCollection
{
    public const string Name = "heap model";
}
