namespace Edge.Firmware.Hydro;

/// <summary>Little-endian integers in a byte record, and a Fletcher-16 check against torn flash writes.</summary>
internal static class RecordCodec
{
    public static int PutByte(byte[] b, int p, int v)
    {
        b[p] = (byte)v;
        return p + 1;
    }

    public static int PutInt(byte[] b, int p, int v)
    {
        b[p] = (byte)v;
        b[p + 1] = (byte)(v >> 8);
        b[p + 2] = (byte)(v >> 16);
        b[p + 3] = (byte)(v >> 24);
        return p + 4;
    }

    public static int PutLong(byte[] b, int p, long v)
    {
        p = PutInt(b, p, (int)v);
        return PutInt(b, p, (int)(v >> 32));
    }

    public static int GetInt(byte[] b, int p)
    {
        return b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24);
    }

    public static long GetLong(byte[] b, int p)
    {
        return (uint)GetInt(b, p) | ((long)GetInt(b, p + 4) << 32);
    }

    public static int Fletcher16(byte[] b, int offset, int count)
    {
        int sum1 = 0, sum2 = 0;
        for (int i = offset; i < offset + count; i++)
        {
            sum1 = (sum1 + b[i]) % 255;
            sum2 = (sum2 + sum1) % 255;
        }
        return (sum2 << 8) | sum1;
    }
}
