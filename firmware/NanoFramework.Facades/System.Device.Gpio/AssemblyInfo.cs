using System.Reflection;

[assembly: AssemblyVersion("1.1.62.0")]
[assembly: AssemblyTitle("System.Device.Gpio (reference facade of nanoFramework.System.Device.Gpio)")]
