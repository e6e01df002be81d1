using System.Collections.Generic;

namespace Edge.Cloud.Users;

/// <summary><c>Users:</c> configuration: users created at start-up when missing (the demo's admin).</summary>
public sealed class UserOptions
{
    public const string Section = "Users";

    public List<SeedUser> Seed { get; set; } = new();

    /// <summary>Browser session lifetime (sliding).</summary>
    public int CookieHours { get; set; } = 12;
}

public sealed class SeedUser
{
    public string Name { get; set; } = "";
    public string Role { get; set; } = Roles.Admin;
    public string Password { get; set; } = "";
}
