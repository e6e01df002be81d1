using System.Reflection;

[assembly: AssemblyVersion("1.7.11.0")]
[assembly: AssemblyTitle("nanoFramework.Runtime.Native (reference facade of nanoFramework.Runtime.Native)")]
