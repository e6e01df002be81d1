using System.Reflection;

[assembly: AssemblyVersion("5.1.220.0")]
[assembly: AssemblyTitle("nanoFramework.M2Mqtt.Core (reference facade of nanoFramework.M2Mqtt (second assembly of the package))")]
