using System.Reflection;

[assembly: AssemblyVersion("1.3.89.0")]
[assembly: AssemblyTitle("System.Device.Spi (reference facade of nanoFramework.System.Device.Spi)")]
