using System.Collections.Generic;
using System.Linq;

namespace Edge.Cloud.OpenData;

/// <summary>One published dataset: its switch name (<see cref="OpenDataOptions.Datasets"/>), what the catalogue
/// says of it, the NGSI-LD entity types it serves and its daily dump, if any.</summary>
public sealed record OpenDataset(string Id, string Title, string Description, IReadOnlyList<string> EntityTypes, string? Dump, string[] Keywords);

/// <summary>The datasets Edge publishes (docs/open-data.md §Datasets).</summary>
public static class OpenDatasets
{
    public static readonly OpenDataset Streetlights = new("streetlights", "Street lights",
        "Every street light with its position, status, power state, dimming level, lamp power, energy and switching times; and the lighting groups.",
        ["Streetlight", "StreetlightGroup"], "streetlights", ["street lighting", "energy"]);

    public static readonly OpenDataset Water = new("water", "Stream water levels and flood states",
        "Every stream gauge with its current water height and flood state, and each day's highest level.",
        ["WaterObserved", "FloodMonitoring"], "gauges", ["water level", "flood"]);

    public static readonly OpenDataset Transit = new("transit", "Bus stops and next arrivals",
        "The bus stops with passenger displays, where they are and what they are called, and the next arrivals each one shows (the GTFS timetable with its real-time updates).",
        ["ArrivalEstimation"], "stops", ["public transport", "bus"]);

    public static readonly OpenDataset Devices = new("devices", "Field devices",
        "Every node on a pole, stop or stream: its kind, firmware, battery and radio signal, and when it last reported.",
        ["Device"], null, ["internet of things", "sensors"]);

    public static readonly IReadOnlyList<OpenDataset> All = [Streetlights, Water, Transit, Devices];

    public static OpenDataset? ForType(string type) => All.FirstOrDefault(d => d.EntityTypes.Contains(type));

    public static IEnumerable<string> Types => All.SelectMany(d => d.EntityTypes);
}
