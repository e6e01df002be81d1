using System;
using System.IO;
using System.Threading.Tasks;
using Microsoft.Playwright;

namespace Edge.Cloud.Web.Tests.Support;

/// <summary>
/// The README's pictures of the console, taken by the browser tests on the pages they already visit: with
/// <c>EDGE_SCREENSHOTS=&lt;folder&gt;</c> set (e.g. <c>docs/screenshots</c>), each named page is saved there as PNG;
/// without it nothing is written.
/// </summary>
public static class Screenshots
{
    public static async Task TakeAsync(IPage page, string name)
    {
        var folder = Environment.GetEnvironmentVariable("EDGE_SCREENSHOTS");
        if (string.IsNullOrEmpty(folder)) return;
        Directory.CreateDirectory(folder);
        await page.SetViewportSizeAsync(name.StartsWith("stop", StringComparison.Ordinal) ? 420 : 1280, 900);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, name + ".png"), FullPage = true });
    }
}
