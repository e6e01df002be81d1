using System;
using System.IO;
using System.Text.Json;

namespace Edge.Cli.Cloud;

/// <summary>
/// The sign-in `edge login` keeps: the cloud's address, an API token of the user (never a password) and the
/// installer's site, in <c>edge/credentials.json</c> under the user's configuration directory
/// (<c>$XDG_CONFIG_HOME</c> or <c>~/.config</c> on Linux, <c>%APPDATA%</c> on Windows), readable by the user only.
/// Tokens never travel on a command line, so they stay out of shell history and process lists.
/// </summary>
public sealed class CliConfig
{
    public string Url { get; set; } = "";
    public string Token { get; set; } = "";
    public string User { get; set; } = "";
    /// <summary>The site the installer works on: nodes of another site are refused.</summary>
    public string? Site { get; set; }

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, WriteIndented = true };

    public static string Directory => Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.ApplicationData, Environment.SpecialFolderOption.DoNotVerify), "edge");

    public static string FilePath => Path.Combine(Directory, "credentials.json");

    /// <summary>The stored sign-in; a clear error when there is none.</summary>
    public static CliConfig Load()
    {
        if (!File.Exists(FilePath)) throw new SignInException("not signed in: run `edge login --url <cloud> --user <name>` first (" + FilePath + " does not exist)");
        try
        {
            var config = JsonSerializer.Deserialize<CliConfig>(File.ReadAllText(FilePath), Json);
            if (config is null || config.Url.Length == 0 || config.Token.Length == 0) throw new JsonException("url or token missing");
            return config;
        }
        catch (JsonException e)
        {
            throw new SignInException(FilePath + " is not a sign-in `edge login` wrote (" + e.Message + "); run `edge login` again");
        }
    }

    /// <summary>Writes the file readable and writable by its owner only (on Unix: created 0600 before the token goes in).</summary>
    public void Save()
    {
        System.IO.Directory.CreateDirectory(Directory);
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var stream = new FileStream(FilePath + ".tmp", options))
        {
            JsonSerializer.Serialize(stream, this, Json);
        }
        File.Move(FilePath + ".tmp", FilePath, overwrite: true);
    }

    public static bool Delete()
    {
        if (!File.Exists(FilePath)) return false;
        File.Delete(FilePath);
        return true;
    }
}

/// <summary>No usable sign-in (missing, expired, revoked): exit 1 with what to do.</summary>
public sealed class SignInException : Exception
{
    public SignInException(string message) : base(message) { }
}
