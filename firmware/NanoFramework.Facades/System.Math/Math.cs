// Reference facade: the public surface of nanoFramework's System.Math (namespace System, class Math)
// that the firmware uses. Bodies throw; nanoFramework implements these natively. Note the float
// overloads, which .NET's Math does not have: firmware code shared with .NET must not rely on them.
using System.Reflection;

[assembly: AssemblyVersion("1.5.116.0")]
[assembly: AssemblyTitle("nanoFramework.System.Math (reference facade)")]

namespace System
{
    public static class Math
    {
        public const double PI = 3.14159265358979323846;
        public const double E = 2.7182818284590452354;

        public static int Max(int val1, int val2) { throw null; }
        public static int Min(int val1, int val2) { throw null; }
        public static int Abs(int val) { throw null; }
        public static double Abs(double val) { throw null; }
        public static float Abs(float val) { throw null; }
        public static double Acos(double d) { throw null; }
        public static float Acos(float d) { throw null; }
        public static double Asin(double d) { throw null; }
        public static float Asin(float d) { throw null; }
        public static double Atan(double d) { throw null; }
        public static float Atan(float d) { throw null; }
        public static double Atan2(double y, double x) { throw null; }
        public static float Atan2(float y, float x) { throw null; }
        public static double Ceiling(double d) { throw null; }
        public static float Ceiling(float d) { throw null; }
        public static double Cos(double a) { throw null; }
        public static float Cos(float a) { throw null; }
        public static double Exp(double d) { throw null; }
        public static float Exp(float d) { throw null; }
        public static double Floor(double d) { throw null; }
        public static float Floor(float d) { throw null; }
        public static double Log(double d) { throw null; }
        public static float Log(float d) { throw null; }
        public static double Log10(double d) { throw null; }
        public static float Log10(float d) { throw null; }
        public static double Max(double x, double y) { throw null; }
        public static float Max(float x, float y) { throw null; }
        public static double Min(double x, double y) { throw null; }
        public static float Min(float x, float y) { throw null; }
        public static double Pow(double x, double y) { throw null; }
        public static float Pow(float x, float y) { throw null; }
        public static double Round(double d) { throw null; }
        public static float Round(float d) { throw null; }
        public static int Sign(double value) { throw null; }
        public static int Sign(float value) { throw null; }
        public static double Sin(double a) { throw null; }
        public static float Sin(float a) { throw null; }
        public static double Sqrt(double d) { throw null; }
        public static float Sqrt(float d) { throw null; }
        public static double Tan(double a) { throw null; }
        public static float Tan(float a) { throw null; }
        public static double Truncate(double d) { throw null; }
        public static float Truncate(float d) { throw null; }
    }
}
