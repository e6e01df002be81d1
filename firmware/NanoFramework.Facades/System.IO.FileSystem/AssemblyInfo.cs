using System.Reflection;

[assembly: AssemblyVersion("1.1.93.0")]
[assembly: AssemblyTitle("System.IO.FileSystem (reference facade of nanoFramework.System.IO.FileSystem)")]
