using System.Reflection;

[assembly: AssemblyVersion("1.1.23.36628")]
[assembly: AssemblyTitle("System.Device.Pwm (reference facade of nanoFramework.System.Device.Pwm)")]
