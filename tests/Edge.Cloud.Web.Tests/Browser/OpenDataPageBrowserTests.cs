using System.Linq;
using System.Threading.Tasks;
using Edge.Cloud.OpenData;
using Edge.Cloud.Web.Tests.Support;
using Microsoft.Playwright;

namespace Edge.Cloud.Web.Tests.Browser;

/// <summary>The public open-data page in a real browser: both languages, one section per dataset, and every link of this
/// site on it answering (the catalogue, the NGSI-LD queries, the daily files).</summary>
[Collection(ConsoleSiteCollection.Name)]
public sealed class OpenDataPageBrowserTests(ConsoleSite site)
{
    [Fact]
    public async Task The_open_data_page_lists_every_dataset_in_Greek_and_English_and_its_links_answer()
    {
        var page = await site.NewPageAsync();
        await page.GotoAsync("/stops/" + ConsoleServer.Stop);
        await page.ClickAsync("footer a[href='/open-data']"); // reached from any public page
        await page.WaitForURLAsync("**/open-data");
        Assert.Equal("el", await page.GetAttributeAsync("html", "lang"));
        Assert.Equal("Ανοιχτά δεδομένα", await page.Locator("h1").InnerTextAsync());
        Assert.Equal(OpenDatasets.All.Select(d => d.Id), await page.Locator("main section").EvaluateAllAsync<string[]>("s => s.map(e => e.id)"));
        Assert.Equal("Φωτιστικά οδών", await page.Locator("#streetlights h2").InnerTextAsync());

        var links = (await page.Locator("main a").EvaluateAllAsync<string[]>("a => a.map(e => e.getAttribute('href'))"))
            .Where(href => href.StartsWith('/')).Distinct().ToList();
        Assert.Contains("/catalog", links);
        Assert.Contains(OpenDataEndpoints.DumpPrefix + "/gauges.geojson", links);
        Assert.Contains(OpenDataEndpoints.NgsiPrefix + "/entities?type=Streetlight&options=keyValues", links);
        foreach (var href in links)
        {
            var response = await page.APIRequest.GetAsync(href);
            Assert.True(response.Ok, $"{href} answered {response.Status}");
        }

        await page.ClickAsync("button[value=en]");
        await page.WaitForURLAsync("**/open-data");
        Assert.Equal("en", await page.GetAttributeAsync("html", "lang"));
        Assert.Equal("Open data", await page.Locator("h1").InnerTextAsync());
        Assert.Equal("Stream water levels and flood states", await page.Locator("#water h2").InnerTextAsync());
        await page.Context.CloseAsync();
    }
}
