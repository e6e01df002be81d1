using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Threading.Tasks;
using Edge.Cloud.OpenData;

namespace Edge.Cloud.Tests.OpenData;

/// <summary>
/// Nothing personal leaks: the site holds installer names (nodes, and as the actor of every inventory change), an
/// alarm acknowledged by a named technician and a node secret; no public response contains any of them.
/// (Edge has no citizen reports yet, so there is no report text to seed.)
/// </summary>
public sealed class PrivacyTests(SqliteOpenDataSite site) : IClassFixture<SqliteOpenDataSite>
{
    /// <summary>Every public route, in every form it answers, over every served entity.</summary>
    private async Task<List<string>> PublicPathsAsync()
    {
        var paths = new List<string>();
        foreach (var type in OpenDatasets.Types)
        {
            paths.Add($"/ngsi-ld/v1/entities?type={type}&limit=1000");
            paths.Add($"/ngsi-ld/v1/entities?type={type}&limit=1000&options=keyValues");
        }
        var (_, all) = await OpenDataSuite.GetAsync(site.Server.Client, "/ngsi-ld/v1/entities?georel=near;minDistance==0&geometry=Point&coordinates=[20.27,39.5]&limit=1000");
        foreach (var id in all.AsArray().Select(e => e!["id"]!.GetValue<string>()))
        {
            paths.Add("/ngsi-ld/v1/entities/" + id);
            paths.Add("/ngsi-ld/v1/temporal/entities/" + id);
        }
        foreach (var dump in new[] { "streetlights", "gauges", "stops" })
        {
            paths.Add($"/opendata/dumps/{dump}.csv?date=2025-12-31");
            paths.Add($"/opendata/dumps/{dump}.geojson?date=2025-12-31");
        }
        paths.Add("/catalog");
        paths.Add("/opendata");
        return paths;
    }

    [Fact]
    public async Task No_public_response_contains_a_name_an_acknowledger_or_a_secret()
    {
        var paths = await PublicPathsAsync();
        Assert.True(paths.Count > 20, $"only {paths.Count} public paths");
        var personal = new[] { OpenDataSite.InstallerName, OpenDataSite.SecondInstallerName, OpenDataSite.AcknowledgerName, site.NodeSecret, "Markou", "Παπαδόπουλος", "Karras" };
        foreach (var path in paths)
        {
            foreach (var accept in new[] { "application/json", "application/ld+json", "*/*" })
            {
                using var request = new System.Net.Http.HttpRequestMessage(System.Net.Http.HttpMethod.Get, path);
                request.Headers.Accept.ParseAdd(accept);
                var response = await site.Server.Client.SendAsync(request);
                Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {response.StatusCode}");
                var text = await response.Content.ReadAsStringAsync() + string.Join("\n", response.Headers.Select(h => h.Key + ": " + string.Join(",", h.Value)));
                foreach (var secret in personal) Assert.False(text.Contains(secret), $"{path} ({accept}) contains '{secret}'");
            }
        }
    }

    [Fact]
    public async Task The_seeded_personal_data_is_really_there_to_leak()
    {
        // Guards the test above: the names are stored where a careless query would find them.
        Assert.Equal(1, await Support.CloudServerBatches.CountAsync(site.Server, $"SELECT COUNT(*) FROM alarms WHERE acknowledged_by = '{OpenDataSite.AcknowledgerName}'"));
        Assert.True(await Support.CloudServerBatches.CountAsync(site.Server, $"SELECT COUNT(*) FROM nodes WHERE installed_by = '{OpenDataSite.InstallerName}'") >= 5);
        Assert.True(await Support.CloudServerBatches.CountAsync(site.Server, "SELECT COUNT(*) FROM nodes WHERE secret_hash IS NOT NULL") == 1);
    }
}
