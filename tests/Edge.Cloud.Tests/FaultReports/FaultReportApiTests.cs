using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Json;
using System.Text;
using System.Threading.Tasks;
using Edge.Cloud.Domain;
using Edge.Cloud.Storage;
using Edge.Cloud.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using static Edge.Cloud.Tests.Support.ApiAssert;

namespace Edge.Cloud.Tests.FaultReports;

/// <summary>The public fault report over real HTTP: no sign-in, photo metadata removed, rate and size limits, an alarm for technicians.</summary>
public abstract class FaultReportApiTests : IAsyncLifetime
{
    private readonly ManualClock _clock = new(1767304800);
    private CloudServer _server = null!;
    private HttpClient _technician = null!;
    private HttpClient _citizen = null!;

    private TestStorage _storage = null!;

    /// <summary>Whether this run is on PostgreSQL (else SQLite).</summary>
    protected abstract bool Postgres { get; }

    public async Task InitializeAsync()
    {
        _server = await CloudServer.StartAsync(new Dictionary<string, string?>((_storage = await TestStorage.CreateAsync(Postgres)).Settings)
        {
            ["Users:Seed:0:Name"] = "admin", ["Users:Seed:0:Password"] = "admin-password-1", ["Users:Seed:0:Role"] = "admin",
            ["Users:Seed:1:Name"] = "eleni", ["Users:Seed:1:Password"] = "technician-password", ["Users:Seed:1:Role"] = "technician",
            ["FaultReports:PerAddressPermits"] = "3",
            ["FaultReports:PerAddressWindowSeconds"] = "600",
            ["FaultReports:MaxPhotoBytes"] = "4096",
        }, services => services.AddSingleton<TimeProvider>(_clock));
        using var admin = await LoginAsync(_server, "admin", "admin-password-1");
        await Ok(await admin.PutAsJsonAsync("/api/v1/sites/igoumenitsa", new { name = "Igoumenitsa" }));
        await Ok(await admin.PutAsJsonAsync("/api/v1/nodes/sl-0042", new { site = "igoumenitsa", type = "streetlight", lat = 39.5, lon = 20.26, pole = "PA-17" }));
        _technician = await LoginAsync(_server, "eleni", "technician-password");
        _citizen = new HttpClient { BaseAddress = _server.Client.BaseAddress };
    }

    public async Task DisposeAsync()
    {
        _technician.Dispose();
        _citizen.Dispose();
        await _server.DisposeAsync();
        await _storage.DisposeAsync();
    }

    private static (byte[] Jpeg, byte[] Picture) PhoneJpeg() => PhoneJpegs.WithPosition();

    private Task<HttpResponseMessage> ReportAsync(object body, string node = "sl-0042") => _citizen.PostAsJsonAsync("/api/v1/public/nodes/" + node + "/fault-reports", body);

    [Fact]
    public async Task A_citizen_reports_without_signing_in_the_photo_loses_its_position_and_technicians_get_an_alarm()
    {
        var (jpeg, picture) = PhoneJpeg();
        var report = await Ok(await ReportAsync(new { kind = "lamp-out", text = "Dark for two nights", photo = Convert.ToBase64String(jpeg) }));
        Assert.True(report.GetProperty("hasPhoto").GetBoolean());

        var alarm = Assert.Single((await Ok(await _technician.GetAsync("/api/v1/alarms?node=sl-0042&kind=node.fault-report"))).EnumerateArray());
        Assert.Equal(("open", "major", "citizen report: lamp out — Dark for two nights"),
            (alarm.GetProperty("status").GetString(), alarm.GetProperty("severity").GetString(), alarm.GetProperty("message").GetString()));
        var listed = Assert.Single((await Ok(await _technician.GetAsync("/api/v1/fault-reports?node=sl-0042"))).EnumerateArray());
        Assert.Equal("Dark for two nights", listed.GetProperty("text").GetString());

        using var photo = await _technician.GetAsync("/api/v1/fault-reports/" + report.GetProperty("id").GetInt64() + "/photo");
        Assert.Equal("image/jpeg", photo.Content.Headers.ContentType!.MediaType);
        var stored = await photo.Content.ReadAsByteArrayAsync();
        Assert.Equal(picture, stored); // the picture's segments and scan, byte for byte, without APP1 and COM
        Assert.DoesNotContain("Exif", Encoding.ASCII.GetString(stored));
        Assert.DoesNotContain("39.5035", Encoding.ASCII.GetString(stored));
        // The citizen cannot read reports back.
        Assert.Equal(HttpStatusCode.Unauthorized, (await _citizen.GetAsync("/api/v1/fault-reports")).StatusCode);
    }

    [Fact]
    public async Task Reports_are_limited_per_address_until_the_window_ends()
    {
        for (int i = 0; i < 3; i++) await Ok(await ReportAsync(new { kind = "flickering" }));
        using var refused = await ReportAsync(new { kind = "flickering" });
        var problem = await Problem(refused, HttpStatusCode.TooManyRequests);
        Assert.Equal("600", refused.Headers.GetValues("Retry-After").Single());
        Assert.Contains("try again in 600 s", problem.GetProperty("detail").GetString());
        _clock.Advance(599);
        await Problem(await ReportAsync(new { kind = "flickering" }), HttpStatusCode.TooManyRequests);
        _clock.Advance(1);
        await Ok(await ReportAsync(new { kind = "flickering" }));
        Assert.Equal(4, (await Ok(await _technician.GetAsync("/api/v1/fault-reports"))).GetArrayLength());
    }

    [Fact]
    public async Task The_count_is_in_the_database_a_second_instance_refuses_the_next_report_and_ended_windows_are_deleted()
    {
        for (int i = 0; i < 3; i++) await Ok(await ReportAsync(new { kind = "flickering" }));
        // Windows of two other addresses (RFC 5737 documentation ranges): one just ended, one with a second left.
        long now = _clock.GetUtcNow().ToUnixTimeSeconds();
        await SqlAsync("INSERT INTO fault_report_windows (address, window_start, attempts) VALUES ('203.0.113.9', @ended, 5), ('198.51.100.7', @live, 5)",
            ("@ended", now - 600), ("@live", now - 599));

        // Another cloud instance on the same database: a restart, or a second replica behind the load balancer.
        var settings = new Dictionary<string, string?>(_storage.Settings) { ["Storage:DataDirectory"] = _server.DataDirectory,
            ["FaultReports:PerAddressPermits"] = "3", ["FaultReports:PerAddressWindowSeconds"] = "600" };
        await using var second = await CloudServer.StartAsync(settings, services => services.AddSingleton<TimeProvider>(_clock));
        using var refused = await second.Client.PostAsJsonAsync("/api/v1/public/nodes/sl-0042/fault-reports", new { kind = "flickering" });
        var problem = await Problem(refused, HttpStatusCode.TooManyRequests);
        Assert.Equal("600", refused.Headers.GetValues("Retry-After").Single());
        Assert.Contains("try again in 600 s", problem.GetProperty("detail").GetString());
        Assert.Equal(new[] { "198.51.100.7" }, (await AddressesAsync()).Where(a => a != Citizen).ToArray());

        _clock.Advance(600);
        await Ok(await second.Client.PostAsJsonAsync("/api/v1/public/nodes/sl-0042/fault-reports", new { kind = "flickering" }));
        Assert.Equal(new[] { Citizen }, await AddressesAsync());
        Assert.Equal(4, (await Ok(await _technician.GetAsync("/api/v1/fault-reports"))).GetArrayLength());
    }

    // The test client's address as the cloud sees it (loopback).
    private const string Citizen = "127.0.0.1";

    private async Task SqlAsync(string sql, params (string, object?)[] parameters)
    {
        await using var tx = await Tx.BeginAsync(_server.App.Services.GetRequiredService<IStorageConnections>());
        await tx.ExecAsync(sql, parameters);
        await tx.CommitAsync();
    }

    private async Task<string[]> AddressesAsync()
    {
        await using var tx = await Tx.ReadAsync(_server.App.Services.GetRequiredService<IStorageConnections>());
        return (await tx.QueryAsync("SELECT address FROM fault_report_windows ORDER BY address", r => r.GetString(0))).ToArray();
    }

    [Fact]
    public async Task Oversized_and_bad_reports_are_refused_and_store_nothing()
    {
        // Each attempt in a new rate window: refused attempts count against the address too.
        Task<HttpResponseMessage> ReportAsync(object report, string node = "sl-0042")
        {
            _clock.Advance(600);
            return this.ReportAsync(report, node);
        }
        var big = new byte[5000];
        big[0] = 0xFF; big[1] = 0xD8;
        // Over the body limit (4096-byte photos): refused from Content-Length, before it is read.
        await Problem(await ReportAsync(new { kind = "lamp-out", photo = Convert.ToBase64String(new byte[20000]) }), HttpStatusCode.RequestEntityTooLarge);
        var tooBig = await Problem(await ReportAsync(new { kind = "lamp-out", photo = Convert.ToBase64String(big) }), HttpStatusCode.BadRequest);
        Assert.Contains("photo: 5000 bytes, at most 4096", tooBig.ToString());
        var notJpeg = await Problem(await ReportAsync(new { kind = "lamp-out", photo = Convert.ToBase64String(Encoding.ASCII.GetBytes("GIF89a....")) }), HttpStatusCode.BadRequest);
        Assert.Contains("photo: must be a JPEG", notJpeg.ToString());
        var kind = await Problem(await ReportAsync(new { kind = "on-fire" }), HttpStatusCode.BadRequest);
        Assert.Contains("kind: 'on-fire' is not one of lamp-out, always-on, flickering, display-broken, other", kind.ToString());
        await Problem(await ReportAsync(new { kind = "other" }), HttpStatusCode.BadRequest);
        await Problem(await ReportAsync(new { kind = "lamp-out" }, "sl-9999"), HttpStatusCode.NotFound);
        Assert.Equal(0, (await Ok(await _technician.GetAsync("/api/v1/fault-reports"))).GetArrayLength());
        Assert.Empty((await Ok(await _technician.GetAsync("/api/v1/alarms?kind=node.fault-report"))).EnumerateArray());
    }
}

public sealed class SqliteFaultReportApiTests : FaultReportApiTests
{
    protected override bool Postgres => false;
}

public sealed class PostgresFaultReportApiTests : FaultReportApiTests
{
    protected override bool Postgres => true;
}
