using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Edge.Cloud.Audit;
using Edge.Cloud.Domain;
using Edge.Cloud.Storage;
using Microsoft.Extensions.Options;

namespace Edge.Cloud.Settings;

/// <summary>The figures the console turns energy into money and CO₂ with. <see cref="UpdatedAt"/> / <see cref="UpdatedBy"/>:
/// the last change by an admin; null while the configured defaults apply.</summary>
public sealed record SiteSettings(double PricePerKWh, double KgCo2PerKWh)
{
    public long? UpdatedAt { get; init; }
    public string? UpdatedBy { get; init; }
}

/// <summary>A change of the site settings: both figures (a PUT replaces the document).</summary>
public sealed record SiteSettingsRequest(double? PricePerKWh, double? KgCo2PerKWh);

/// <summary>
/// The site settings (docs/cloud.md, docs/console.md): electricity price per kWh and the grid's emission factor, used by
/// the profile editor's savings and the energy report. Configuration (<see cref="SiteSettingsDefaults"/>) gives the
/// initial values; an admin's change (<c>PUT /api/v1/settings</c>) is stored in <c>site_settings</c>, audited
/// (<c>settings.update</c>) and wins from then on. Values outside the ranges are refused at their field.
/// </summary>
public sealed class SiteSettingsService(IStorageConnections connections, AuditLog audit, TimeProvider time, IOptions<SiteSettingsDefaults> defaults)
{
    public const string Price = "pricePerKWh";
    public const string Co2 = "kgCo2PerKWh";

    /// <summary>€ per kWh: more than 0, at most this (ten times any European retail tariff).</summary>
    public const double MaxPrice = 10;

    /// <summary>kg CO₂ per kWh: 0 (a wholly renewable supply) to this (above pure lignite, about 1.2).</summary>
    public const double MaxCo2 = 2;

    /// <summary>The settings in force: the stored ones, else the configured defaults.</summary>
    public async Task<SiteSettings> GetAsync(CancellationToken ct = default)
    {
        await using var tx = await Tx.ReadAsync(connections, ct);
        return await GetAsync(tx);
    }

    private async Task<SiteSettings> GetAsync(Tx tx)
    {
        var rows = (await tx.QueryAsync("SELECT name, value, updated_at, updated_by FROM site_settings",
            r => (Name: r.GetString(0), Value: Convert.ToDouble(r.GetValue(1), CultureInfo.InvariantCulture), At: r.GetInt64(2), By: r.GetString(3))))
            .ToDictionary(r => r.Name, StringComparer.Ordinal);
        var last = rows.Values.OrderByDescending(r => r.At).FirstOrDefault();
        return new SiteSettings(rows.TryGetValue(Price, out var price) ? price.Value : defaults.Value.PricePerKWh,
            rows.TryGetValue(Co2, out var co2) ? co2.Value : defaults.Value.KgCo2PerKWh)
        {
            UpdatedAt = last.Name is null ? null : last.At,
            UpdatedBy = last.By,
        };
    }

    /// <summary>An admin's change: both figures checked (every problem at its field), stored and audited together.</summary>
    public async Task<SiteSettings> PutAsync(string actor, SiteSettingsRequest request, CancellationToken ct = default)
    {
        var errors = new List<string>();
        Check(errors, Price, request.PricePerKWh, v => v > 0 && v <= MaxPrice, $"more than 0 and at most {MaxPrice} € per kWh");
        Check(errors, Co2, request.KgCo2PerKWh, v => v >= 0 && v <= MaxCo2, $"0 to {MaxCo2} kg CO₂ per kWh");
        if (errors.Count > 0) throw DomainException.InvalidDocument("settings", errors);
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        await using var tx = await Tx.BeginAsync(connections, ct);
        var before = await GetAsync(tx);
        foreach (var (name, value) in new[] { (Price, request.PricePerKWh!.Value), (Co2, request.KgCo2PerKWh!.Value) })
        {
            await tx.ExecAsync(
                """
                INSERT INTO site_settings (name, value, updated_at, updated_by) VALUES (@n, @v, @at, @by)
                ON CONFLICT (name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at, updated_by = excluded.updated_by
                """, ("@n", name), ("@v", value), ("@at", now), ("@by", actor));
        }
        await audit.WriteAsync(tx, actor, "settings.update", "settings",
            new { from = new { before.PricePerKWh, before.KgCo2PerKWh }, to = new { request.PricePerKWh, request.KgCo2PerKWh } });
        var after = await GetAsync(tx);
        await tx.CommitAsync();
        return after;
    }

    private static void Check(List<string> errors, string field, double? value, Func<double, bool> valid, string range)
    {
        if (value is not { } v) errors.Add($"{field}: required");
        else if (!valid(v) || double.IsNaN(v)) errors.Add($"{field}: {v.ToString(CultureInfo.InvariantCulture)} is out of range ({range})");
    }
}

/// <summary>The initial site settings, from configuration (the keys the console has always read): <c>Console:PricePerKWh</c>
/// and <c>Console:KgCo2PerKWh</c>.</summary>
public sealed class SiteSettingsDefaults
{
    public const string Section = "Console";

    /// <summary>Electricity price in € per kWh (set the municipality's tariff).</summary>
    public double PricePerKWh { get; set; } = 0.20;

    /// <summary>Grid emission factor in kg CO₂ per kWh. Default: 0.315, the carbon intensity of Greek electricity
    /// production in 2023 (annual average, from EU ETS emissions and IPTO production data) as published by The Green
    /// Tank, "The carbon footprint of electricity production – May 2024" (docs/console.md).</summary>
    public double KgCo2PerKWh { get; set; } = 0.315;
}
