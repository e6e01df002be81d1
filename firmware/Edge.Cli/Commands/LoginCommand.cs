using System;
using System.ComponentModel;
using System.Net;
using System.Net.Http;
using System.Net.Http.Json;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Edge.Cli.Cloud;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Edge.Cli.Commands;

/// <summary>
/// `edge login`: signs in once and keeps an API token (not the password) in the user's configuration directory
/// (<see cref="CliConfig"/>). The password is read from standard input or typed at a hidden prompt, never given as
/// an argument.
/// </summary>
public sealed class LoginCommand : AsyncCommand<LoginCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--url <URL>")]
        [Description("The cloud's address, e.g. https://edge.example.gr/ (required).")]
        public string? Url { get; init; }

        [CommandOption("--user <NAME>")]
        [Description("Your user name (with a password) — or use --token-stdin.")]
        public string? User { get; init; }

        [CommandOption("--site <SITE>")]
        [Description("The site you install on: `edge node` commands refuse nodes of other sites.")]
        public string? Site { get; init; }

        [CommandOption("--days <DAYS>")]
        [Description("Lifetime of the API token made for this machine, 1..365 days (default 30).")]
        public int Days { get; init; } = 30;

        [CommandOption("--token-stdin")]
        [Description("Read an existing API token from standard input instead of signing in with a password.")]
        public bool TokenStdin { get; init; }

        public override ValidationResult Validate()
        {
            if (Url is null) return ValidationResult.Error("login: --url is required (see `edge login --help`)");
            if (!Uri.TryCreate(Url, UriKind.Absolute, out var uri) || (uri.Scheme != "https" && uri.Scheme != "http"))
                return ValidationResult.Error("login: --url '" + Url + "' is not an http(s) address");
            if (User is null && !TokenStdin) return ValidationResult.Error("login: give --user <name> (password on standard input or at the prompt) or --token-stdin");
            if (Days < 1 || Days > 365) return ValidationResult.Error("login: --days must be 1..365");
            return ValidationResult.Success();
        }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var url = new Uri(settings.Url!.TrimEnd('/') + "/");
        string token;
        if (settings.TokenStdin)
        {
            token = (Console.In.ReadLine() ?? "").Trim();
            if (token.Length == 0) throw new SignInException("login: no token on standard input");
        }
        else
        {
            string password = ReadPassword();
            var handler = new HttpClientHandler { CookieContainer = new CookieContainer() };
            using var http = new HttpClient(handler) { BaseAddress = url, Timeout = TimeSpan.FromSeconds(60) };
            using var login = await Post(http, "api/v1/auth/login", new { name = settings.User, password }, cancellationToken);
            if (!login.IsSuccessStatusCode)
                throw new SignInException("login: " + (int)login.StatusCode + " " + CloudClient.Detail(await login.Content.ReadAsStringAsync(cancellationToken)));
            using var made = await Post(http, "api/v1/auth/tokens", new { name = "edge cli on " + Environment.MachineName, expiresInDays = settings.Days }, cancellationToken);
            if (!made.IsSuccessStatusCode)
                throw new SignInException("login: could not make an API token: " + (int)made.StatusCode + " " + CloudClient.Detail(await made.Content.ReadAsStringAsync(cancellationToken)));
            token = (await made.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("token").GetString()!;
        }

        var config = new CliConfig { Url = url.ToString(), Token = token, User = settings.User ?? "", Site = settings.Site };
        using (var cloud = new CloudClient(config))
        {
            var me = (await cloud.GetAsync("auth/me", false, cancellationToken))!.Value;
            config.User = me.GetProperty("name").GetString()!;
            string role = me.GetProperty("role").GetString()!;
            if (settings.Site != null && !SiteListed(await cloud.GetAsync("sites", false, cancellationToken), settings.Site))
                throw new CloudException("login: site '" + settings.Site + "' does not exist in " + url);
            config.Save();
            Console.Out.WriteLine($"signed in to {url} as {config.User} ({role}){(config.Site != null ? ", site " + config.Site : "")}");
            Console.Out.WriteLine("sign-in kept in " + CliConfig.FilePath + " (an API token, valid " + settings.Days + " days unless given with --token-stdin)");
        }
        return 0;
    }

    private static bool SiteListed(JsonElement? sites, string site)
    {
        if (sites is not { ValueKind: JsonValueKind.Array } list) return false;
        foreach (var s in list.EnumerateArray())
            if (s.GetProperty("id").GetString() == site) return true;
        return false;
    }

    private static string ReadPassword()
    {
        if (Console.IsInputRedirected) return (Console.In.ReadLine() ?? "").TrimEnd('\r', '\n');
        return AnsiConsole.Prompt(new TextPrompt<string>("Password:").Secret());
    }

    private static async Task<HttpResponseMessage> Post(HttpClient http, string path, object body, CancellationToken ct)
    {
        try
        {
            return await http.PostAsJsonAsync(path, body, ct);
        }
        catch (HttpRequestException e)
        {
            throw new CloudException("cannot reach the cloud at " + http.BaseAddress + ": " + e.Message);
        }
    }
}

/// <summary>`edge logout`: forgets the stored sign-in.</summary>
public sealed class LogoutCommand : Command<LogoutCommand.Settings>
{
    public sealed class Settings : CommandSettings { }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        Console.Out.WriteLine(CliConfig.Delete() ? "signed out (" + CliConfig.FilePath + " removed; the token stays valid until it expires or is revoked in the cloud)" : "not signed in");
        return 0;
    }
}
