namespace Edge.Firmware.Protocol;

/// <summary>
/// An inbound protocol message was not accepted. <see cref="Code"/> is the §7.6/§7.8 code
/// (<c>malformed</c>, <c>invalid</c>, <c>wrong-type</c>, <c>too-large</c>), <see cref="Errors"/> every
/// problem found, each starting with its JSON path, and <see cref="Version"/> the document's
/// <c>version</c> or -1 when it could not be read.
/// </summary>
public sealed class MessageFormatException : DocumentRejectedException
{
    public const string Malformed = "malformed";
    public const string Invalid = "invalid";
    public const string WrongType = "wrong-type";
    public const string TooLarge = "too-large";

    public MessageFormatException(string code, long version, string[] errors, int count) : base(Join(code, errors, count), Copy(errors, count))
    {
        Code = code;
        Version = version;
    }

    public string Code { get; }

    public long Version { get; }

    private static string[] Copy(string[] errors, int count)
    {
        var copy = new string[count];
        for (int i = 0; i < count; i++) copy[i] = errors[i];
        return copy;
    }

    private static string Join(string code, string[] errors, int count)
    {
        string message = code;
        for (int i = 0; i < count; i++) message += (i == 0 ? ": " : "; ") + errors[i];
        return message;
    }
}
