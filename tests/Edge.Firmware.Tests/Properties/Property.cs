using System;
using CsCheck;

namespace Edge.Firmware.Tests.Properties;

/// <summary>
/// How every property test here runs CsCheck: a moderate number of iterations on one thread (the suite runs on a
/// shared 2-core machine), shrinking on failure, and a seed that is new on every run — so each run explores new
/// cases — unless <see cref="SeedVariable"/> is set. CsCheck's failure message prints the failing seed and names
/// the variable (<c>CsCheck_Seed=…</c>); set it to replay the failure. Under CI (<c>CI</c> set) without the
/// variable, <see cref="CiSeed"/> is used, so a red CI run replays exactly on a developer's machine.
/// </summary>
public static class Property
{
    /// <summary>The environment variable CsCheck itself reads for the seed, named in its failure message.</summary>
    public const string SeedVariable = "CsCheck_Seed";

    /// <summary>The seed CI runs with when <see cref="SeedVariable"/> is not set.</summary>
    public const string CiSeed = "dJBnEa-4CD01";

    public static string? Seed
    {
        get
        {
            var seed = Environment.GetEnvironmentVariable(SeedVariable);
            if (!string.IsNullOrEmpty(seed)) return seed;
            return string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI")) ? null : CiSeed;
        }
    }

    /// <summary>Checks <paramref name="assert"/> on <paramref name="iterations"/> generated values, shrinking a failure.</summary>
    public static void Check<T>(Gen<T> gen, Action<T> assert, int iterations = 300, Func<T, string>? print = null)
        => gen.Sample(assert, seed: Seed, iter: iterations, threads: 1, print: print);
}
