using System.Reflection;

[assembly: AssemblyVersion("1.1.24.44037")]
[assembly: AssemblyTitle("System.Device.Adc (reference facade of nanoFramework.System.Device.Adc)")]
