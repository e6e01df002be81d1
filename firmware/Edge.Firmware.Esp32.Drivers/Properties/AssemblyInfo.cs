using System.Reflection;

[assembly: AssemblyTitle("Edge.Firmware.Esp32.Drivers")]
[assembly: AssemblyDescription("Edge ESP32 drivers: PWM, INA219, BL0942, BH1750, JSN-SR04T, A02YYUW, SSD1680, ADC1, flash storage, M2Mqtt link, Wi-Fi, SNTP, deep sleep")]
[assembly: AssemblyVersion("1.0.0.0")]
