using System.Reflection;

[assembly: AssemblyVersion("1.11.39.0")]
[assembly: AssemblyTitle("nanoFramework.Runtime.Events (reference facade of nanoFramework.Runtime.Events)")]
