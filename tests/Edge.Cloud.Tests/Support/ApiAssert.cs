using System.Net;
using System.Net.Http;
using System.Net.Http.Json;
using System.Text.Json;
using System.Threading.Tasks;

namespace Edge.Cloud.Tests.Support;

/// <summary>Assertions on the cloud's HTTP answers: success with a JSON body, or RFC 9457 problem details.</summary>
public static class ApiAssert
{
    public static async Task<JsonElement> Ok(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode} {response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: {body}");
        return body.Length == 0 ? default : JsonDocument.Parse(body).RootElement.Clone();
    }

    public static async Task<JsonElement> Problem(HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement.Clone();
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()));
        return problem;
    }

    /// <summary>A client with its own cookie jar, signed in as <paramref name="name"/>.</summary>
    public static async Task<HttpClient> LoginAsync(CloudServer server, string name, string password)
    {
        var client = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer() }) { BaseAddress = server.Client.BaseAddress };
        await Ok(await client.PostAsJsonAsync("/api/v1/auth/login", new { name, password }));
        return client;
    }

    /// <summary>A client that sends an API token of the user <paramref name="session"/> is signed in as (bearer:
    /// what scripts and uploads of non-JSON bodies use).</summary>
    public static async Task<HttpClient> BearerClientAsync(CloudServer server, HttpClient session)
    {
        var token = await Ok(await session.PostAsJsonAsync("/api/v1/auth/tokens", new { name = "tests" }));
        var client = new HttpClient { BaseAddress = server.Client.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token.GetProperty("token").GetString());
        return client;
    }
}
