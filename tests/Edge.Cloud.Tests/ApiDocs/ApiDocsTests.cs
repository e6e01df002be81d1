using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using Edge.Cloud.Tests.Support;
using static Edge.Cloud.Tests.Support.ApiAssert;

namespace Edge.Cloud.Tests.ApiDocs;

/// <summary>The API explains itself: the served OpenAPI document, the interactive reference, the index and
/// validation errors in JSON terms.</summary>
public sealed class ApiDocsTests : IAsyncLifetime
{
    /// <summary>POST/PUT operations that take no body (the action is the path).</summary>
    private static readonly HashSet<string> Bodiless =
    [
        "POST /api/v1/auth/logout", "POST /api/v1/gateways/{id}/token", "POST /api/v1/nodes/{id}/secret",
        "POST /api/v1/users/{name}/disable", "POST /api/v1/users/{name}/enable",
    ];

    /// <summary>Operations whose body is not JSON (a file upload, no example to show), with the content type they declare instead.</summary>
    private static readonly Dictionary<string, string> NotJson = new() { ["POST /api/v1/transit/feeds"] = "application/zip" };

    /// <summary>Operations anyone may call.</summary>
    private static readonly HashSet<string> Public = ["POST /api/v1/auth/login", "POST /api/v1/auth/logout", "GET /api/v1", "GET /api/v1/health",
        "POST /api/v1/public/nodes/{id}/fault-reports"];

    /// <summary>Operations that cannot fail (no input, nothing to find).</summary>
    private static readonly HashSet<string> Infallible = ["POST /api/v1/auth/logout", "GET /api/v1", "GET /api/v1/health"];

    private CloudServer _server = null!;

    public async Task InitializeAsync() => _server = await CloudServer.StartAsync(new Dictionary<string, string?>
    {
        ["Users:Seed:0:Name"] = "admin",
        ["Users:Seed:0:Password"] = "admin-password-1",
        ["Users:Seed:0:Role"] = "admin",
    });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task The_openapi_document_gives_every_operation_its_body_schema_errors_and_security()
    {
        var document = await Ok(await _server.Client.GetAsync("/openapi/v1.json"));
        Assert.Equal("Edge cloud API", document.GetProperty("info").GetProperty("title").GetString());
        Assert.Equal("v1", document.GetProperty("info").GetProperty("version").GetString());
        var schemes = document.GetProperty("components").GetProperty("securitySchemes");
        Assert.Equal("cookie", schemes.GetProperty("session").GetProperty("in").GetString());
        Assert.Equal("edge.session", schemes.GetProperty("session").GetProperty("name").GetString());
        Assert.Equal("bearer", schemes.GetProperty("apiToken").GetProperty("scheme").GetString());
        Assert.Equal("bearer", schemes.GetProperty("gatewayToken").GetProperty("scheme").GetString());

        var operations = 0;
        var failures = new List<string>();
        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            foreach (var op in path.Value.EnumerateObject().Where(o => o.Name is "get" or "put" or "post" or "delete" or "patch"))
            {
                operations++;
                var name = $"{op.Name.ToUpperInvariant()} {path.Name}";
                var operation = op.Value;
                if (op.Name is "post" or "put" && !Bodiless.Contains(name))
                {
                    if (!operation.TryGetProperty("requestBody", out var body)
                        || !body.GetProperty("content").TryGetProperty(NotJson.GetValueOrDefault(name, "application/json"), out var json)
                        || !json.TryGetProperty("schema", out var schema) || !schema.EnumerateObject().Any())
                    {
                        failures.Add(name + $": no {NotJson.GetValueOrDefault(name, "application/json")} request schema");
                    }
                    else if (!name.EndsWith("/batches", StringComparison.Ordinal) && !NotJson.ContainsKey(name) && !json.TryGetProperty("example", out _))
                    {
                        failures.Add(name + ": no request example");
                    }
                }
                var problems = operation.GetProperty("responses").EnumerateObject()
                    .Where(r => r.Name.StartsWith('4') && r.Value.TryGetProperty("content", out var c) && c.TryGetProperty("application/problem+json", out _))
                    .Select(r => r.Name).ToList();
                if (problems.Count == 0 && !Infallible.Contains(name)) failures.Add(name + ": no problem-details error response");
                var description = operation.TryGetProperty("description", out var d) ? d.GetString() ?? "" : "";
                var secured = operation.TryGetProperty("security", out var security) && security.GetArrayLength() > 0;
                if (Public.Contains(name))
                {
                    if (secured || !description.StartsWith("No authentication.", StringComparison.Ordinal)) failures.Add(name + ": should say it is public");
                    continue;
                }
                if (!secured) failures.Add(name + ": names no security");
                else if (!(problems.Contains("401") && problems.Contains("403"))) failures.Add(name + ": no 401/403 problem responses");
                var gateway = secured && security.EnumerateArray().Any(s => s.TryGetProperty("gatewayToken", out _));
                if (gateway != path.Name.StartsWith("/api/v1/gateways/{gatewayId}/", StringComparison.Ordinal)) failures.Add(name + ": wrong scheme");
                if (!gateway && !Regex.IsMatch(description, @"^Role: (any signed-in user|technician or admin|installer or admin|installer, technician or admin|admin)")) failures.Add(name + ": no role in description");
            }
        }
        Assert.True(operations > 40, $"only {operations} operations");
        Assert.Empty(failures);
    }

    [Fact]
    public async Task The_user_list_says_who_is_disabled_and_disable_and_enable_are_admin_operations_with_their_conflict()
    {
        var document = await Ok(await _server.Client.GetAsync("/openapi/v1.json"));
        var paths = document.GetProperty("paths");
        var list = paths.GetProperty("/api/v1/users").GetProperty("get").GetProperty("responses").GetProperty("200").GetProperty("content")
            .GetProperty("application/json").GetProperty("schema").GetProperty("items");
        var schema = document.GetProperty("components").GetProperty("schemas").GetProperty(list.GetProperty("$ref").GetString()!.Split('/')[^1]);
        Assert.Equal("boolean", schema.GetProperty("properties").GetProperty("disabled").GetProperty("type").GetString());
        foreach (var (action, conflict) in new[] { ("disable", true), ("enable", false) })
        {
            var operation = paths.GetProperty($"/api/v1/users/{{name}}/{action}").GetProperty("post");
            Assert.StartsWith("Role: admin.", operation.GetProperty("description").GetString());
            Assert.Equal(conflict, operation.GetProperty("responses").TryGetProperty("409", out _));
            Assert.True(operation.GetProperty("responses").TryGetProperty("200", out _));
        }
    }

    [Fact]
    public async Task The_docs_page_and_every_asset_it_loads_are_served_locally()
    {
        var page = await _server.Client.GetAsync("/api/docs/index.html");
        var html = await page.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotMatch(@"(?i)(https?:)?//[a-z0-9]", html);
        var assets = Regex.Matches(html, @"(?:src|href)=""(?<url>[^""#]+)""").Select(m => m.Groups["url"].Value).Distinct().ToList();
        Assert.Contains(assets, a => a.EndsWith(".js", StringComparison.Ordinal));
        foreach (var asset in assets)
        {
            var response = await _server.Client.GetAsync(new Uri(new Uri(_server.Client.BaseAddress!, "/api/docs/"), asset));
            Assert.True(response.IsSuccessStatusCode, $"{asset}: {(int)response.StatusCode}");
        }
        // The page's configuration points at this server's document, not at a public one.
        var config = await _server.Client.GetStringAsync("/api/docs/index.js");
        Assert.Contains("/openapi/v1.json", config);
        Assert.DoesNotMatch(@"[""'`]\s*https?://", config);
    }

    [Fact]
    public async Task The_api_index_links_the_docs_the_openapi_document_and_health()
    {
        var index = await Ok(await _server.Client.GetAsync("/api/v1/"));
        var links = index.GetProperty("links");
        foreach (var link in new[] { "docs", "openApi", "health" })
        {
            var response = await _server.Client.GetAsync(links.GetProperty(link).GetString());
            Assert.True(response.IsSuccessStatusCode, $"{link}: {(int)response.StatusCode}");
        }
        Assert.Equal("Healthy", await _server.Client.GetStringAsync(links.GetProperty("health").GetString()));
    }

    [Fact]
    public async Task Validation_errors_name_the_json_field_and_what_it_expects_never_a_dotnet_type()
    {
        using var admin = await LoginAsync(_server, "admin", "admin-password-1");
        foreach (var (body, path, message) in new[]
        {
            ("""{"name": 5}""", "name", "expected a string"),
            ("""{"name": "Igoumenitsa", "timezone": "x"}""", "timezone", "unknown field"),
            ("""{"name": "Igoumenitsa", "tz": ["x"]}""", "tz", "expected a string"),
            ("""{"name": """, "name", "invalid JSON"),
        })
        {
            var response = await admin.PutAsync("/api/v1/sites/igoumenitsa", new StringContent(body, Encoding.UTF8, "application/json"));
            var problem = await Problem(response, HttpStatusCode.BadRequest);
            var detail = problem.GetProperty("detail").GetString()!;
            Assert.DoesNotMatch(@"System\.|Edge\.|\.NET", detail);
            var error = problem.GetProperty("errors")[0];
            Assert.Equal(path, error.GetProperty("path").GetString());
            Assert.Contains(message, error.GetProperty("message").GetString());
        }
        var user = await admin.PostAsJsonAsync("/api/v1/users", new { name = "maria", role = "viewer", password = 12345678 });
        var wrong = await Problem(user, HttpStatusCode.BadRequest);
        Assert.StartsWith("password: expected a string (line 1, position ", wrong.GetProperty("detail").GetString());
    }
}
