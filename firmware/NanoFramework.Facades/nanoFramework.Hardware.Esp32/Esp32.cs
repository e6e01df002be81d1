// Facade: the ESP32-specific calls a thin app needs: binding peripheral functions to pins (the GPIO
// matrix) and timer deep sleep for battery water nodes. Same names and values as the real assembly;
// DeviceFunction lists only the members the apps use, with the real numeric values
// (device type * 0x10000 + device index * 0x100 + signal).
using System;

namespace nanoFramework.Hardware.Esp32
{
    public enum DeviceFunction
    {
        SPI1_MOSI = 0x10100,
        SPI1_MISO = 0x10101,
        SPI1_CLOCK = 0x10102,
        SPI2_MOSI = 0x10200,
        SPI2_MISO = 0x10201,
        SPI2_CLOCK = 0x10202,
        I2C1_DATA = 0x20100,
        I2C1_CLOCK = 0x20101,
        I2C2_DATA = 0x20200,
        I2C2_CLOCK = 0x20201,
        COM2_TX = 0x30200,
        COM2_RX = 0x30201,
        COM2_RTS = 0x30202,
        COM2_CTS = 0x30203,
        COM3_TX = 0x30300,
        COM3_RX = 0x30301,
        COM3_RTS = 0x30302,
        COM3_CTS = 0x30303,
        PWM1 = 0x40100,
        PWM2 = 0x40200,
        PWM3 = 0x40300,
        PWM4 = 0x40400,
        PWM5 = 0x40500,
        PWM6 = 0x40600,
        PWM7 = 0x40700,
        PWM8 = 0x40800,
        PWM9 = 0x40900,
        PWM10 = 0x40A00,
        PWM11 = 0x40B00,
        PWM12 = 0x40C00,
        PWM13 = 0x40D00,
        PWM14 = 0x40E00,
        PWM15 = 0x40F00,
        PWM16 = 0x41000,
        ADC1_CH0 = 0x50100,
        ADC1_CH1 = 0x50101,
        ADC1_CH2 = 0x50102,
        ADC1_CH3 = 0x50103,
        ADC1_CH4 = 0x50104,
        ADC1_CH5 = 0x50105,
        ADC1_CH6 = 0x50106,
        ADC1_CH7 = 0x50107,
    }

    public enum EspNativeError : Int32
    {
        OK = 0,
        FAIL = -1,
        NO_MEM = 0x101,
        INVALID_ARG = 0x102,
        INVALID_STATE = 0x103,
        INVALID_SIZE = 0x104,
        NOT_FOUND = 0x105,
        NOT_SUPPORTED = 0x106,
        TIMEOUT = 0x107,
        INVALID_RESPONSE = 0x108,
        INVALID_CRC = 0x109,
        INVALID_VERSION = 0x10A,
        INVALID_MAC = 0x10B,
        WIFI_BASE = 0x3000
    }

    public class Configuration
    {
        public static void SetPinFunction(int pin, DeviceFunction value) { throw null; }
        public static int GetFunctionPin(DeviceFunction function) { throw null; }
    }

    public class Sleep
    {
        public enum WakeupCause
        {
            Undefined = 0,
            Ext0 = 2,
            Ext1,
            Timer,
            TouchPad,
            Ulp,
            Gpio,
            Uart,
            Wifi,
            CoCpu,
            CoCpuTrapTrig,
            Bt
        }

        public static EspNativeError EnableWakeupByTimer(TimeSpan time) { throw null; }
        public static void StartDeepSleep() { throw null; }
        public static WakeupCause GetWakeupCause() { throw null; }
    }
}
