using Edge.Firmware.Protocol;

namespace Edge.Firmware.Runtime;

/// <summary>Executes commands for a node type (protocol §10.2).</summary>
public interface ICommandTarget
{
    /// <summary>Whether this node type knows <paramref name="kind"/>.</summary>
    bool Supports(string kind);

    /// <summary>Runs a command whose arguments are valid; Ok, or Failed with <paramref name="failure"/> saying why.</summary>
    CommandResult Execute(CommandMessage command, out string failure);
}

/// <summary>What <see cref="CommandProcessor.Handle"/> decided.</summary>
public enum CommandOutcome
{
    /// <summary>Publish a cmd/ack with <see cref="CommandProcessor.Result"/>.</summary>
    Ack = 0,
    /// <summary>No readable id: publish a message.rejected event (§15 M2).</summary>
    MessageRejected = 1,
}

/// <summary>
/// Protocol §10.4 on the node: checks in the specified order (readable id, duplicate, clock set,
/// expiry, kind, arguments), then executes; remembers the last 32 ids with their results in storage so
/// a re-delivered command — even a reboot after the reboot — is answered <c>duplicate</c>.
/// </summary>
public sealed class CommandProcessor
{
    public const int Memory = 32;
    public const string StorageKey = "cmd.seen";

    private readonly IStorage _storage;
    private readonly ICommandTarget _target;
    private readonly CommandDecoder _decoder = new CommandDecoder();
    private readonly string[] _ids = new string[Memory];
    private readonly byte[] _results = new byte[Memory];
    private readonly byte[] _record = new byte[2 + Memory * 66];
    private int _count;
    private int _next;

    public CommandProcessor(IStorage storage, ICommandTarget target)
    {
        _storage = storage;
        _target = target;
        Command = new CommandMessage();
        Message = "";
        RejectCode = "";
        Restore();
    }

    /// <summary>The last command read (valid after <see cref="Handle"/>).</summary>
    public CommandMessage Command { get; }
    public CommandResult Result { get; private set; }
    /// <summary>With Duplicate: the result given the first time.</summary>
    public CommandResult Original { get; private set; }
    /// <summary>Detail for the ack or the message.rejected event.</summary>
    public string Message { get; private set; }
    /// <summary>With MessageRejected: <c>malformed</c> or <c>too-large</c>.</summary>
    public string RejectCode { get; private set; }

    /// <summary>Number of remembered ids.</summary>
    public int Remembered { get { return _count; } }

    public CommandOutcome Handle(byte[] buffer, int offset, int count, long nowUtc, bool clockSet)
    {
        try
        {
            return Decide(buffer, offset, count, nowUtc, clockSet);
        }
        finally
        {
            Command.ReleaseArgs();
        }
    }

    private CommandOutcome Decide(byte[] buffer, int offset, int count, long nowUtc, bool clockSet)
    {
        Message = "";
        try
        {
            _decoder.Decode(buffer, offset, count, Command);
        }
        catch (MessageFormatException e)
        {
            RejectCode = e.Code;
            Message = e.Errors.Length > 0 ? e.Errors[0] : e.Message;
            return CommandOutcome.MessageRejected;
        }
        CommandMessage cmd = Command;
        int seen = Find(cmd.Id);
        if (seen >= 0)
        {
            Result = CommandResult.Duplicate;
            Original = (CommandResult)_results[seen];
            return CommandOutcome.Ack;
        }
        CommandResult result;
        if (cmd.Problem.Length > 0) { result = CommandResult.Rejected; Message = cmd.Problem; }
        else if (!clockSet) { result = CommandResult.Rejected; Message = "node clock not set"; }
        else if (nowUtc >= cmd.Expires) { result = CommandResult.Expired; Message = "expired " + cmd.Expires.ToString(); }
        else if (!_target.Supports(cmd.Kind)) { result = CommandResult.Unsupported; Message = "\"" + cmd.Kind + "\" is not supported by this node"; }
        else
        {
            string problem = _decoder.ReadArgs(cmd);
            if (problem.Length > 0) { result = CommandResult.Rejected; Message = problem; }
            else
            {
                // Remembered before executing: a reboot command must not run again after the reboot.
                Remember(cmd.Id, CommandResult.Ok);
                result = _target.Execute(cmd, out string failure);
                if (result != CommandResult.Ok)
                {
                    Message = failure;
                    Remember(cmd.Id, result);
                }
                Result = result;
                return CommandOutcome.Ack;
            }
        }
        Remember(cmd.Id, result);
        Result = result;
        return CommandOutcome.Ack;
    }

    private int Find(string id)
    {
        for (int i = 0; i < _count; i++)
        {
            if (_ids[i] == id) return i;
        }
        return -1;
    }

    private void Remember(string id, CommandResult result)
    {
        int at = Find(id);
        if (at < 0)
        {
            at = _next;
            _next = (_next + 1) % Memory;
            if (_count < Memory) _count++;
        }
        _ids[at] = id;
        _results[at] = (byte)result;
        Persist();
    }

    private void Persist()
    {
        int p = 0;
        _record[p++] = (byte)_count;
        _record[p++] = (byte)_next;
        for (int i = 0; i < _count; i++)
        {
            string id = _ids[i];
            _record[p++] = _results[i];
            _record[p++] = (byte)id.Length;
            for (int k = 0; k < id.Length; k++) _record[p++] = (byte)id[k]; // ids are ASCII (§10.1)
        }
        _storage.Write(StorageKey, _record, p);
    }

    private void Restore()
    {
        int n = _storage.Read(StorageKey, _record);
        if (n < 2 || n > _record.Length) return;
        int count = _record[0];
        int next = _record[1];
        if (count > Memory || next >= Memory) return;
        int p = 2;
        var chars = new char[64];
        for (int i = 0; i < count; i++)
        {
            if (p + 2 > n) return;
            byte result = _record[p++];
            int length = _record[p++];
            if (length > 64 || p + length > n) return;
            for (int k = 0; k < length; k++) chars[k] = (char)_record[p++];
            _ids[i] = new string(chars, 0, length);
            _results[i] = result;
        }
        _count = count;
        _next = next;
    }
}
