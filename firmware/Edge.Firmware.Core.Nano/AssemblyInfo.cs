using System.Reflection;

[assembly: AssemblyTitle("Edge.Firmware.Core (nanoFramework)")]
[assembly: AssemblyVersion("0.1.0.0")]
