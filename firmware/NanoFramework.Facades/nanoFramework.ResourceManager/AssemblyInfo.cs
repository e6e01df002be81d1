using System.Reflection;

[assembly: AssemblyVersion("1.2.32.0")]
[assembly: AssemblyTitle("nanoFramework.ResourceManager (reference facade of nanoFramework.ResourceManager)")]
