using System;
using System.IO;

namespace Edge.Repository.Tests;

/// <summary>The clone's top folder, found by walking up from the test binaries to <c>Edge.sln</c>.</summary>
internal static class RepositoryRoot
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Edge.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("Edge.sln not found above " + AppContext.BaseDirectory);
    }
}
