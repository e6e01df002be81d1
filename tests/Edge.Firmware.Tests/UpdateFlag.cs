using System;

namespace Edge.Firmware.Tests;

/// <summary>
/// The switches that rewrite committed expected files (golden images, generated pin files) from the code under
/// test. A run with one set compares the code with its own output, so it proves nothing: under CI (<c>CI</c> set)
/// a set switch fails the test instead of rewriting, and the files can only change in a reviewed commit.
/// </summary>
public static class UpdateFlag
{
    /// <summary>Whether <paramref name="variable"/> is <c>1</c>; fails under CI when it is.</summary>
    public static bool IsSet(string variable) => IsSet(variable, Environment.GetEnvironmentVariable);

    /// <summary>As <see cref="IsSet(string)"/>, reading the environment through <paramref name="environment"/> (for its own test).</summary>
    public static bool IsSet(string variable, Func<string, string?> environment)
    {
        if (environment(variable) != "1") return false;
        Assert.True(string.IsNullOrEmpty(environment("CI")),
            $"{variable}=1 under CI: expected files are never rewritten by a CI run (it would bless whatever the code produces); unset {variable}");
        return true;
    }
}
