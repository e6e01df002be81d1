using System.Reflection;

[assembly: AssemblyVersion("1.6.42.0")]
[assembly: AssemblyTitle("nanoFramework.Hardware.Esp32 (reference facade of nanoFramework.Hardware.Esp32)")]
