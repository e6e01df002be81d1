using System.Reflection;

[assembly: AssemblyVersion("1.1.139.0")]
[assembly: AssemblyTitle("System.IO.Ports (reference facade of nanoFramework.System.IO.Ports)")]
