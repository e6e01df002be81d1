using System;

namespace Edge.Firmware.Protocol;

/// <summary>
/// A document is not valid JSON, or not the JSON a reader of it expects. The message says what is
/// wrong and where (line and column for syntax, a path such as <c>profiles[1].points[0].level</c> for
/// content), so an installer can fix the file.
/// </summary>
public class JsonFormatException : FormatException
{
    public JsonFormatException(string message) : base(message)
    {
    }
}
