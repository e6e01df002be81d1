using System.IO;

namespace Edge.Firmware.Tests;

/// <summary>Finds files of the repository from a test, wherever the test runs.</summary>
public static class Repo
{
    public static string Root { get; } = FindRoot();

    public static string File(string relative) => Path.Combine(Root, relative);

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(System.AppContext.BaseDirectory);
        while (dir != null && !System.IO.File.Exists(Path.Combine(dir.FullName, "Edge.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new DirectoryNotFoundException("Edge.sln not found above " + System.AppContext.BaseDirectory);
    }
}
