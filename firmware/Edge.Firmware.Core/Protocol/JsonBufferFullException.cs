using System;

namespace Edge.Firmware.Protocol;

/// <summary>A message did not fit the buffer it was being written into (a bug or an oversize text, never data loss by truncation).</summary>
public sealed class JsonBufferFullException : InvalidOperationException
{
    public JsonBufferFullException(string message) : base(message)
    {
    }
}
