using System.Reflection;

[assembly: AssemblyVersion("1.1.29.0")]
[assembly: AssemblyTitle("System.Device.I2c (reference facade of nanoFramework.System.Device.I2c)")]
