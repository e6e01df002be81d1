using System;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace Edge.Cli.Cloud;

/// <summary>
/// The cloud's /api/v1 as the signed-in user (bearer API token). Every refusal becomes one sentence that says what
/// to do: 401 (expired or revoked sign-in) → sign in again, 403 → the role needed, 404 → what does not exist; the
/// cloud's own problem detail is kept. Request and answer bodies are never logged (they carry secrets).
/// </summary>
public sealed class CloudClient : IDisposable
{
    private readonly HttpClient _http;

    public CloudClient(CliConfig config)
    {
        Config = config;
        _http = new HttpClient { BaseAddress = new Uri(config.Url.TrimEnd('/') + "/"), Timeout = TimeSpan.FromSeconds(60) };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", config.Token);
    }

    public CliConfig Config { get; }

    public static CloudClient SignedIn() => new(CliConfig.Load());

    /// <summary>GET; null for 404 when <paramref name="missingIsNull"/>.</summary>
    public async Task<JsonElement?> GetAsync(string path, bool missingIsNull, CancellationToken ct)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, "api/v1/" + path), ct);
        if (missingIsNull && response.StatusCode == HttpStatusCode.NotFound) return null;
        return await ReadAsync(response, "GET " + path, ct);
    }

    public async Task<JsonElement> SendAsync(HttpMethod method, string path, object? body, CancellationToken ct)
    {
        var request = new HttpRequestMessage(method, "api/v1/" + path);
        if (body != null) request.Content = JsonContent.Create(body);
        using var response = await SendAsync(request, ct);
        return await ReadAsync(response, method + " " + path, ct);
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        using (request)
        {
            try
            {
                return await _http.SendAsync(request, ct);
            }
            catch (HttpRequestException e)
            {
                throw new CloudException("cannot reach the cloud at " + Config.Url + ": " + e.Message);
            }
        }
    }

    private async Task<JsonElement> ReadAsync(HttpResponseMessage response, string what, CancellationToken ct)
    {
        string text = await response.Content.ReadAsStringAsync(ct);
        if (response.IsSuccessStatusCode) return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
        string detail = Detail(text);
        throw response.StatusCode switch
        {
            HttpStatusCode.Unauthorized => new SignInException("the cloud refused the stored sign-in of '" + Config.User + "'" + (detail.Length > 0 ? ": " + detail : "") + " — run `edge login` again"),
            HttpStatusCode.Forbidden => new CloudException(what + ": not allowed" + (detail.Length > 0 ? ": " + detail : "") + " (installers need the installer role)"),
            _ => new CloudException(what + ": " + (int)response.StatusCode + " " + (detail.Length > 0 ? detail : response.ReasonPhrase)),
        };
    }

    /// <summary>The problem details' detail and errors, or the body.</summary>
    public static string Detail(string body)
    {
        try
        {
            var problem = JsonDocument.Parse(body).RootElement;
            string detail = problem.TryGetProperty("detail", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString()!
                : problem.TryGetProperty("title", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : "";
            if (problem.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array)
                foreach (var e in errors.EnumerateArray())
                    detail += "; " + (e.TryGetProperty("path", out var p) ? p.GetString() + ": " : "") + (e.TryGetProperty("message", out var m) ? m.GetString() : e.ToString());
            return detail;
        }
        catch (JsonException)
        {
            return body.Length > 200 ? body[..200] : body;
        }
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>The cloud refused or could not be reached: exit 1 with its reason.</summary>
public sealed class CloudException : Exception
{
    public CloudException(string message) : base(message) { }
}
