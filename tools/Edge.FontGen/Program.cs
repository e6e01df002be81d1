using System;
using System.IO;
using Edge.FontGen;

// Usage: dotnet run --project tools/Edge.FontGen [-- <font-directory>]
// Writes firmware/Edge.Firmware.Core/Transit/DisplayFonts.g.cs and firmware/Edge.Firmware.Esp32.BusStop/Fonts/*.bin.
string fontDirectory = args.Length > 0 ? args[0] : FontTableGenerator.DefaultFontDirectory;
string root = RepoRoot();
var faces = FontTableGenerator.Convert(fontDirectory);
string output = Path.Combine(root, "firmware", "Edge.Firmware.Core", "Transit", "DisplayFonts.g.cs");
File.WriteAllText(output, FontTableGenerator.Generate(faces));
Console.WriteLine("wrote " + output);
foreach (var face in faces)
{
    string bin = Path.Combine(root, FontTableGenerator.ResourceFile(face.Field));
    Directory.CreateDirectory(Path.GetDirectoryName(bin)!);
    File.WriteAllBytes(bin, face.Bits);
    Console.WriteLine("wrote " + bin);
}
return 0;

static string RepoRoot()
{
    var dir = new DirectoryInfo(AppContext.BaseDirectory);
    while (dir != null && !File.Exists(Path.Combine(dir.FullName, "Edge.sln"))) dir = dir.Parent;
    return dir?.FullName ?? throw new InvalidOperationException("run inside the repository (Edge.sln not found)");
}
