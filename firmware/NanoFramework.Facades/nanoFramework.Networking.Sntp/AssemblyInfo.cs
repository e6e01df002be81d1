using System.Reflection;

[assembly: AssemblyVersion("1.6.42.0")]
[assembly: AssemblyTitle("nanoFramework.Networking.Sntp (reference facade of nanoFramework.Networking.Sntp)")]
