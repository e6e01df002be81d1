using System.Collections.Generic;
using System.Net;
using System.Net.Http;
using System.Threading.Tasks;
using Edge.Cloud.Web.Tests.Support;

namespace Edge.Cloud.Web.Tests.Browser;

/// <summary>The console's protections over plain HTTP (no browser needed): headers, and forms refused without
/// their antiforgery token.</summary>
[Collection(ConsoleSiteCollection.Name)]
public sealed class SecurityTests(ConsoleSite site)
{
    private HttpClient Client() => new(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new System.Uri(site.Server.BaseUrl) };

    [Fact]
    public async Task Pages_carry_a_content_security_policy_without_inline_script_and_the_API_keeps_its_answers()
    {
        using var client = Client();
        using var page = await client.GetAsync("/stops/" + ConsoleServer.Stop);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var csp = string.Join(";", page.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self'", csp);
        Assert.DoesNotContain("unsafe-inline", csp);
        Assert.Contains("frame-ancestors 'none'", csp);
        Assert.Contains("img-src 'self' data: http://127.0.0.1:9;", csp); // the configured map tile server, nothing else
        Assert.Equal("nosniff", string.Join("", page.Headers.GetValues("X-Content-Type-Options")));

        using var api = await client.GetAsync("/api/v1/nodes");
        Assert.Equal(HttpStatusCode.Unauthorized, api.StatusCode);
        Assert.Equal("application/problem+json", api.Content.Headers.ContentType?.MediaType);

        using var unknown = await client.GetAsync("/stops/no-such-stop");
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Theory]
    [InlineData("/culture")]
    [InlineData("/signout")]
    [InlineData("/signin")]
    public async Task A_form_post_without_its_antiforgery_token_is_refused(string path)
    {
        using var client = Client();
        using var response = await client.PostAsync(path, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["culture"] = "en", ["returnUrl"] = "/", ["_handler"] = "signin", ["Form.Name"] = "admin", ["Form.Password"] = ConsoleServer.Password("admin"),
        }));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.False(response.Headers.Contains("Set-Cookie"), "nothing was set: " + response.Headers);
    }
}
