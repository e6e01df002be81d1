using System.Reflection;

[assembly: AssemblyVersion("1.1.52.34401")]
[assembly: AssemblyTitle("System.Threading (reference facade of nanoFramework.System.Threading)")]
