using System.Reflection;

[assembly: AssemblyVersion("2.0.53.0")]
[assembly: AssemblyTitle("nanoFramework.Hardware.Esp32.Rmt (reference facade of nanoFramework.Hardware.Esp32.Rmt)")]
