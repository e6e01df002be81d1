using System;
using System.IO;
using Edge.FontGen;

// Usage: dotnet run --project tools/Edge.FontGen [-- <font-directory> [<output.cs>]]
string fontDirectory = args.Length > 0 ? args[0] : FontTableGenerator.DefaultFontDirectory;
string output = args.Length > 1 ? args[1] : Path.Combine(RepoRoot(), "firmware", "Edge.Firmware.Core", "Transit", "DisplayFonts.g.cs");
string text = FontTableGenerator.Generate(fontDirectory);
File.WriteAllText(output, text);
Console.WriteLine("wrote " + output);
return 0;

static string RepoRoot()
{
    var dir = new DirectoryInfo(AppContext.BaseDirectory);
    while (dir != null && !File.Exists(Path.Combine(dir.FullName, "Edge.sln"))) dir = dir.Parent;
    return dir?.FullName ?? throw new InvalidOperationException("run inside the repository (Edge.sln not found)");
}
