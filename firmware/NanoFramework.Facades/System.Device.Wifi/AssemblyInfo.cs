using System.Reflection;

[assembly: AssemblyVersion("1.5.147.0")]
[assembly: AssemblyTitle("System.Device.Wifi (reference facade of nanoFramework.System.Device.Wifi)")]
