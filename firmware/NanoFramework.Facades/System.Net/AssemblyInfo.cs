using System.Reflection;

[assembly: AssemblyVersion("1.11.60.0")]
[assembly: AssemblyTitle("System.Net (reference facade of nanoFramework.System.Net)")]
