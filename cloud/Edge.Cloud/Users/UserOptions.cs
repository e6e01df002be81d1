using System.Collections.Generic;

namespace Edge.Cloud.Users;

/// <summary><c>Users:</c> configuration: users created at start-up when missing (the demo's admin), session,
/// login throttling and API token settings. docs/cloud.md lists the defaults and why.</summary>
public sealed class UserOptions
{
    public const string Section = "Users";

    public List<SeedUser> Seed { get; set; } = new();

    /// <summary>Browser session lifetime (sliding).</summary>
    public int CookieHours { get; set; } = 12;

    public LoginOptions Login { get; set; } = new();

    public TokenOptions Tokens { get; set; } = new();
}

public sealed class SeedUser
{
    public string Name { get; set; } = "";
    public string Role { get; set; } = Roles.Admin;
    public string Password { get; set; } = "";
}

/// <summary><c>Users:Login:</c> the two brakes on password guessing.</summary>
public sealed class LoginOptions
{
    /// <summary>Failed logins in a row (for one name) that lock it; failures older than the lockout are forgotten.</summary>
    public int MaxFailures { get; set; } = 5;

    /// <summary>How long a locked name refuses every login, even with the right password.</summary>
    public int LockoutMinutes { get; set; } = 15;

    /// <summary>Login attempts per client address per window (ASP.NET Core fixed-window rate limiter), whatever the names.</summary>
    public int PerAddressPermits { get; set; } = 20;

    public int PerAddressWindowSeconds { get; set; } = 60;
}

/// <summary><c>Users:Tokens:</c> API token lifetime and use tracking.</summary>
public sealed class TokenOptions
{
    /// <summary>Lifetime when the request names none.</summary>
    public int DefaultDays { get; set; } = 90;

    /// <summary>The longest lifetime a request may ask for.</summary>
    public int MaxDays { get; set; } = 365;

    /// <summary>A token's last-used time is written (and its use audited) at most once per this interval.</summary>
    public int UseIntervalSeconds { get; set; } = 900;
}
