namespace Edge.Firmware.Protocol;

/// <summary>
/// A document was read but its content rejected. <see cref="Errors"/> lists every problem found, each
/// starting with the JSON path it is about; how they are joined into the message is each document's own
/// (the subclasses), because installers and tests read those messages.
/// </summary>
public abstract class DocumentRejectedException : JsonFormatException
{
    protected DocumentRejectedException(string message, string[] errors) : base(message)
    {
        Errors = errors;
    }

    public string[] Errors { get; }
}
