using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;
using Edge.Cloud.Domain;
using Edge.Cloud.Tests.Support;
using Edge.Cloud.Users;
using Microsoft.Extensions.DependencyInjection;
using static Edge.Cloud.Tests.Support.ApiAssert;

namespace Edge.Cloud.Tests.Users;

/// <summary>Accounts, sessions, API tokens and request limits over real HTTP (SQLite).</summary>
public sealed class AccountApiTests : IAsyncLifetime
{
    private const string Gateway = "gw-igoumenitsa-1";
    private const string GatewayToken = "token-of-gw-igoumenitsa-1-at-least-32-chars";
    private const string AdminPassword = "admin-password-1";
    private readonly ManualClock _clock = new(1767304800);
    private CloudServer _server = null!;
    private HttpClient _admin = null!;

    public async Task InitializeAsync()
    {
        _server = await CloudServer.StartAsync(new Dictionary<string, string?>
        {
            ["Users:Seed:0:Name"] = "admin",
            ["Users:Seed:0:Password"] = AdminPassword,
            ["Gateways:Seed:0:Id"] = Gateway,
            ["Gateways:Seed:0:Token"] = GatewayToken,
            ["Users:Login:PerAddressPermits"] = "3",
            ["Users:Login:PerAddressWindowSeconds"] = "3600",
        }, services => services.AddSingleton<TimeProvider>(_clock));
        _admin = await LoginFromAsync("198.51.100.1", "admin", AdminPassword);
    }

    public async Task DisposeAsync()
    {
        _admin.Dispose();
        await _server.DisposeAsync();
    }

    /// <summary>A cookie session whose requests come through the (trusted, loopback) proxy for <paramref name="address"/>:
    /// each test user gets its own address, so the per-address login limit of 3 is this test's to spend.</summary>
    private async Task<HttpClient> LoginFromAsync(string address, string name, string password)
    {
        var client = new HttpClient(Patient(new SocketsHttpHandler { CookieContainer = new CookieContainer() })) { BaseAddress = _server.Client.BaseAddress };
        client.DefaultRequestHeaders.Add("X-Forwarded-For", address);
        await Ok(await client.PostAsJsonAsync("/api/v1/auth/login", new { name, password }));
        return client;
    }

    private async Task CreateUserAsync(string name, string role) =>
        await Ok(await _admin.PostAsJsonAsync("/api/v1/users", new { name, role, password = "password-" + name }));

    /// <summary>A client that waits for the server's answer to "Expect: 100-continue" (HttpClient's default is 1 s):
    /// on a loaded machine the 413 may come later, and the client would then start uploading 31 MB into a connection
    /// the server closes after answering.</summary>
    /// <summary>A chunked body refused mid-read: the server answers 413 and closes with part of the body unread, and the
    /// kernel then resets the connection, which can discard the answer before the client reads it (seen once in a full
    /// run on a loaded machine). That race is TCP's, not the cloud's: such a request is sent again, at most three times
    /// in all, so a server that never answers still fails.</summary>
    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, Func<HttpRequestMessage> request, bool chunked)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await client.SendAsync(request());
            }
            catch (HttpRequestException e) when (chunked && attempt < 3 && e.InnerException is HttpIOException { HttpRequestError: HttpRequestError.ResponseEnded })
            {
            }
        }
    }

    private static SocketsHttpHandler Patient(SocketsHttpHandler handler)
    {
        handler.Expect100ContinueTimeout = TimeSpan.FromMinutes(2);
        return handler;
    }

    private HttpClient Bearer(string token)
    {
        var client = new HttpClient(Patient(new SocketsHttpHandler())) { BaseAddress = _server.Client.BaseAddress };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    [Fact]
    public async Task The_last_admin_can_be_neither_demoted_nor_deleted()
    {
        var demote = await Problem(await _admin.PutAsJsonAsync("/api/v1/users/admin", new { role = "viewer" }), HttpStatusCode.Conflict);
        Assert.Contains("'admin' is the last admin", demote.GetProperty("detail").GetString());
        var users = Services<UserService>();
        var delete = await Assert.ThrowsAsync<DomainException>(() => users.DeleteAsync("system", "admin"));
        Assert.Equal(409, delete.Status);
        Assert.Equal("admin", (await users.FindAsync("admin"))!.Role);

        // With a second admin, the first may step down; the second is then the last.
        await CreateUserAsync("admin-2", "admin");
        await Ok(await _admin.PutAsJsonAsync("/api/v1/users/admin", new { role = "viewer" }));
        using var second = await LoginFromAsync("198.51.100.2", "admin-2", "password-admin-2");
        await Problem(await second.PutAsJsonAsync("/api/v1/users/admin-2", new { role = "technician" }), HttpStatusCode.Conflict);
        await Ok(await second.DeleteAsync("/api/v1/users/admin"));
    }

    private T Services<T>() where T : notnull => _server.App.Services.GetRequiredService<T>();

    [Fact]
    public async Task Login_attempts_are_limited_per_client_address()
    {
        using var client = new HttpClient { BaseAddress = _server.Client.BaseAddress };
        HttpRequestMessage Attempt(string address, string password)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/auth/login") { Content = JsonContent.Create(new { name = "admin", password }) };
            request.Headers.Add("X-Forwarded-For", address);
            return request;
        }
        for (var i = 0; i < 3; i++) await Problem(await client.SendAsync(Attempt("203.0.113.5", "wrong-password")), HttpStatusCode.Unauthorized);
        var limited = await client.SendAsync(Attempt("203.0.113.5", AdminPassword));
        Assert.Contains("too many login attempts from this address", (await Problem(limited, (HttpStatusCode)429)).GetProperty("detail").GetString());
        Assert.True(int.Parse(limited.Headers.GetValues("Retry-After").Single()) > 0);
        // Another address is not held back, and the name is not locked (3 failures < 5).
        await Ok(await client.SendAsync(Attempt("203.0.113.6", AdminPassword)));
    }

    [Fact]
    public async Task Changing_a_password_or_role_ends_the_users_other_sessions_and_a_new_password_revokes_their_tokens()
    {
        await CreateUserAsync("tech-1", "technician");
        using var first = await LoginFromAsync("198.51.100.3", "tech-1", "password-tech-1");
        using var second = await LoginFromAsync("198.51.100.3", "tech-1", "password-tech-1");
        var token = (await Ok(await first.PostAsJsonAsync("/api/v1/auth/tokens", new { name = "script" }))).GetProperty("token").GetString()!;
        using var script = Bearer(token);

        await Ok(await _admin.PutAsJsonAsync("/api/v1/users/tech-1", new { role = "installer" }));
        await Problem(await first.GetAsync("/api/v1/auth/me"), HttpStatusCode.Unauthorized);
        await Problem(await second.GetAsync("/api/v1/auth/me"), HttpStatusCode.Unauthorized);
        // The token survives a role change and acts with the new role at once.
        Assert.Equal("installer", (await Ok(await script.GetAsync("/api/v1/auth/me"))).GetProperty("role").GetString());

        using var third = await LoginFromAsync("198.51.100.4", "tech-1", "password-tech-1");
        await Ok(await _admin.PutAsJsonAsync("/api/v1/users/tech-1", new { password = "new-password-1" }));
        await Problem(await third.GetAsync("/api/v1/auth/me"), HttpStatusCode.Unauthorized);
        Assert.Contains("not a valid API token", (await Problem(await script.GetAsync("/api/v1/auth/me"), HttpStatusCode.Unauthorized)).GetProperty("detail").GetString());

        // Your own change keeps the session that made it and ends your others.
        using var otherAdmin = await LoginFromAsync("198.51.100.5", "admin", AdminPassword);
        await Ok(await _admin.PutAsJsonAsync("/api/v1/users/admin", new { password = "admin-password-2" }));
        await Ok(await _admin.GetAsync("/api/v1/auth/me"));
        await Problem(await otherAdmin.GetAsync("/api/v1/auth/me"), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task The_session_cookie_is_secure_over_https_through_a_trusted_proxy_and_always_httponly_and_samesite_strict()
    {
        async Task<string> CookieAsync(string? proto, string address)
        {
            using var client = new HttpClient(new HttpClientHandler { UseCookies = false }) { BaseAddress = _server.Client.BaseAddress };
            var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/auth/login") { Content = JsonContent.Create(new { name = "admin", password = AdminPassword }) };
            request.Headers.Add("X-Forwarded-For", address);
            if (proto is not null) request.Headers.Add("X-Forwarded-Proto", proto);
            var response = await client.SendAsync(request);
            await Ok(response);
            return response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("edge.session=", StringComparison.Ordinal)).ToLowerInvariant();
        }
        var https = (await CookieAsync("https", "198.51.100.6")).Split(';').Select(a => a.Trim()).ToList();
        Assert.Contains("secure", https);
        Assert.Contains("httponly", https);
        Assert.Contains("samesite=strict", https);
        // Plain HTTP (the loopback demo) cannot carry a Secure cookie: the browser would never send it back.
        var http = (await CookieAsync(null, "198.51.100.7")).Split(';').Select(a => a.Trim()).ToList();
        Assert.DoesNotContain("secure", http);
        Assert.Contains("httponly", http);
    }

    [Fact]
    public async Task A_gateway_endpoint_takes_no_user_api_token_and_notes_no_use_of_one()
    {
        // Gateway endpoints check the bearer token as a gateway's (GatewayRegistry); the user token lookup is not run
        // there (it cost every batch a query), so a user's token sent to one is refused and not recorded as used.
        await CreateUserAsync("viewer-2", "viewer");
        using var session = await LoginFromAsync("198.51.100.9", "viewer-2", "password-viewer-2");
        var created = await Ok(await session.PostAsJsonAsync("/api/v1/auth/tokens", new { name = "script" }));
        using var script = Bearer(created.GetProperty("token").GetString()!);

        var batch = Records.Batch(Gateway, Records.LampFault(1, "sl-0001", _clock.UnixNow));
        var refused = await Problem(await script.PostAsync($"/api/v1/gateways/{Gateway}/batches",
            new StringContent(batch.ToJsonString(), Encoding.UTF8, "application/json")), HttpStatusCode.Unauthorized);
        Assert.Contains("not valid for any gateway", refused.GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.Unauthorized, (await script.GetAsync($"/api/v1/gateways/{Gateway}/desired")).StatusCode);

        var token = (await Ok(await session.GetAsync("/api/v1/auth/tokens"))).EnumerateArray().Single(t => t.GetProperty("name").GetString() == "script");
        Assert.False(token.TryGetProperty("lastUsedAt", out var usedAt) && usedAt.ValueKind == JsonValueKind.Number);
        Assert.DoesNotContain((await Ok(await _admin.GetAsync("/api/v1/audit?actor=viewer-2"))).EnumerateArray(), e => e.GetProperty("action").GetString() == "token.use");
        // The same token still works where user tokens belong.
        await Ok(await script.GetAsync("/api/v1/auth/me"));
    }

    [Fact]
    public async Task Api_tokens_expire_and_record_their_last_use_which_is_audited_at_most_once_per_interval()
    {
        await CreateUserAsync("viewer-1", "viewer");
        using var session = await LoginFromAsync("198.51.100.8", "viewer-1", "password-viewer-1");
        var created = await Ok(await session.PostAsJsonAsync("/api/v1/auth/tokens", new { name = "script", expiresInDays = 2 }));
        Assert.Equal(_clock.UnixNow + 2 * 86400, created.GetProperty("info").GetProperty("expiresAt").GetInt64());
        var standard = await Ok(await session.PostAsJsonAsync("/api/v1/auth/tokens", new { name = "default" }));
        Assert.Equal(_clock.UnixNow + 90 * 86400, standard.GetProperty("info").GetProperty("expiresAt").GetInt64());
        Assert.Contains("expiresInDays: 366 is out of range 1..365",
            (await Problem(await session.PostAsJsonAsync("/api/v1/auth/tokens", new { name = "forever", expiresInDays = 366 }), HttpStatusCode.BadRequest)).GetProperty("detail").GetString());

        using var script = Bearer(created.GetProperty("token").GetString()!);
        async Task<long?> LastUsedAsync(string name) =>
            (await Ok(await session.GetAsync("/api/v1/auth/tokens"))).EnumerateArray().Single(t => t.GetProperty("name").GetString() == name)
                .GetProperty("lastUsedAt") is { ValueKind: JsonValueKind.Number } at ? at.GetInt64() : null;
        async Task<int> UsesAsync() =>
            (await Ok(await _admin.GetAsync("/api/v1/audit?actor=viewer-1"))).EnumerateArray().Count(e => e.GetProperty("action").GetString() == "token.use");

        Assert.Null(await LastUsedAsync("script"));
        var usedAt = _clock.UnixNow;
        await Ok(await script.GetAsync("/api/v1/auth/me"));
        _clock.Advance(60);
        await Ok(await script.GetAsync("/api/v1/auth/me"));
        Assert.Equal(usedAt, await LastUsedAsync("script"));
        Assert.Null(await LastUsedAsync("default"));
        Assert.Equal(1, await UsesAsync());

        _clock.Advance(900);
        await Ok(await script.GetAsync("/api/v1/nodes"));
        Assert.Equal(_clock.UnixNow, await LastUsedAsync("script"));
        Assert.Equal(2, await UsesAsync());

        _clock.Now = DateTimeOffset.FromUnixTimeSeconds(created.GetProperty("info").GetProperty("expiresAt").GetInt64());
        var expired = await Problem(await script.GetAsync("/api/v1/auth/me"), HttpStatusCode.Unauthorized);
        Assert.Contains("API token 'script' expired at", expired.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Bodies_over_the_limit_are_413_problem_details_on_every_endpoint_even_chunked_and_at_login()
    {
        await CreateUserAsync("tech-2", "technician");
        using var technician = await LoginFromAsync("198.51.100.9", "tech-2", "password-tech-2");
        using var gateway = Bearer(GatewayToken);
        using var anonymous = new HttpClient(Patient(new SocketsHttpHandler { UseCookies = false })) { BaseAddress = _server.Client.BaseAddress };
        // With a Content-Length the cloud refuses before reading: the client sends "Expect: 100-continue" (as curl does
        // for large bodies), so it learns the answer without uploading 31 MB into a connection the server closes.
        // A chunked body is refused while being read; it is kept small enough for the socket buffers, because
        // the server stops reading it and closes the connection after answering.
        var huge = new byte[31 * 1024 * 1024];
        var cases = new (HttpClient Client, HttpMethod Method, string Path, int Bytes, bool Chunked)[]
        {
            (anonymous, HttpMethod.Post, "/api/v1/auth/login", huge.Length, false),
            (anonymous, HttpMethod.Post, "/api/v1/auth/login", 1024 * 1024, false),
            (anonymous, HttpMethod.Post, "/api/v1/auth/login", 16 * 1024, true),
            (_admin, HttpMethod.Post, "/api/v1/users", huge.Length, false),
            (technician, HttpMethod.Put, "/api/v1/profiles/residential", huge.Length, false),
            (technician, HttpMethod.Put, "/api/v1/profiles/residential", 300 * 1024, true),
            (gateway, HttpMethod.Post, $"/api/v1/gateways/{Gateway}/batches", huge.Length, false),
        };
        foreach (var (client, method, path, bytes, chunked) in cases)
        {
            HttpRequestMessage Request()
            {
                var content = chunked ? (HttpContent)new StreamContent(new NonSeekableStream(huge, bytes)) : new ByteArrayContent(huge, 0, bytes);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                var request = new HttpRequestMessage(method, path) { Content = content };
                request.Headers.TransferEncodingChunked = chunked;
                request.Headers.ExpectContinue = !chunked;
                // The server closes the connection after refusing a body it did not read: the client must not pool it, or
                // the next request on this client (the ordinary PUT below) can go out on a socket already closing.
                request.Headers.ConnectionClose = true;
                return request;
            }
            var response = await SendAsync(client, Request, chunked);
            var problem = await Problem(response, HttpStatusCode.RequestEntityTooLarge);
            Assert.True(problem.GetProperty("detail").GetString()!.StartsWith("body: ", StringComparison.Ordinal), $"{method} {path} {bytes}: {problem}");
        }
        // The small endpoints still take ordinary bodies.
        await Ok(await technician.PutAsync("/api/v1/profiles/residential", JsonContent.Create(Documents.Schedule())));
    }

    [Fact]
    public async Task Cookie_requests_and_login_take_only_json_bodies()
    {
        var user = JsonSerializer.Serialize(new { name = "form-made", role = "admin", password = "password-form" });
        var refused = new HttpContent[]
        {
            new StringContent(user), // text/plain: what a cross-site form may send without a preflight
            new FormUrlEncodedContent(new Dictionary<string, string> { ["name"] = "form-made", ["role"] = "admin", ["password"] = "password-form" }),
            new MultipartFormDataContent { { new StringContent("form-made"), "name" } },
        };
        foreach (var content in refused)
        {
            var problem = await Problem(await _admin.PostAsync("/api/v1/users", content), HttpStatusCode.UnsupportedMediaType);
            Assert.Contains("application/json", problem.GetProperty("detail").GetString());
        }
        await Problem(await _admin.PostAsync("/api/v1/auth/logout", new FormUrlEncodedContent(new Dictionary<string, string>())), HttpStatusCode.UnsupportedMediaType);
        await Problem(await _server.Client.PostAsync("/api/v1/auth/login", new StringContent(JsonSerializer.Serialize(new { name = "admin", password = AdminPassword }))),
            HttpStatusCode.UnsupportedMediaType);
        Assert.Null(await Services<UserService>().FindAsync("form-made"));
        await Ok(await _admin.GetAsync("/api/v1/auth/me")); // the refused logout ended nothing
        await Ok(await _admin.PostAsync("/api/v1/users", new StringContent(user, Encoding.UTF8, "application/json")));
    }

    /// <summary>A body HttpClient cannot measure, so it goes chunked (no Content-Length to refuse up front).</summary>
    private sealed class NonSeekableStream(byte[] source, int length) : Stream
    {
        private readonly MemoryStream _inner = new(source, 0, length);
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
