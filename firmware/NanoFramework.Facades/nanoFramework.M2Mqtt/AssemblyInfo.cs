using System.Reflection;

[assembly: AssemblyVersion("5.1.220.0")]
[assembly: AssemblyTitle("nanoFramework.M2Mqtt (reference facade of nanoFramework.M2Mqtt)")]
