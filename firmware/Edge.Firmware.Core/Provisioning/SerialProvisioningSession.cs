using System;
using Edge.Firmware.Protocol;
using Edge.Firmware.Runtime;

namespace Edge.Firmware.Provisioning;

/// <summary>Where the session's answers go: one line each (the transport adds the line feed).</summary>
public interface IProvisioningReply
{
    void WriteLine(string line);
}

/// <summary>
/// The node's side of serial provisioning, "edge-prov/1" (docs/provisioning.md; modelled on the Improv serial
/// protocol): a line-based conversation on the node's USB serial — HELLO, INFO, one SET key=value per line, each
/// validated by <see cref="ProvisioningRecord"/> as it arrives and answered OK or ERR, COMMIT, REBOOT. The record
/// is written only by a COMMIT of a complete, valid record, in one storage write (the storage replaces a record
/// whole): garbage on the line, a peer that stops mid-session or an ABORT leave the node's old record as it was.
/// Transport-free: the ESP32 driver feeds it UART bytes, the host node the bytes of a pseudo-terminal.
/// </summary>
public sealed class SerialProvisioningSession
{
    public const string Version = "edge-prov/1";

    /// <summary>The longest line, line feed included; a longer one is refused whole.</summary>
    public const int MaxLine = 200;

    /// <summary>A session with no line for this long is forgotten (its values dropped): the peer must say HELLO again.</summary>
    public const long IdleMs = 60000;

    private readonly IStorage _storage;
    private readonly IProvisioningReply _reply;
    private readonly string _board;
    private readonly string _firmware;
    private readonly string _type;
    private readonly byte[] _line = new byte[MaxLine];
    private int _length;
    private bool _overflow;
    private bool _open;
    private long _lastMs;
    private ProvisioningRecord _pending = new ProvisioningRecord();
    private string _text = "";

    public SerialProvisioningSession(IStorage storage, IProvisioningReply reply, string board, string firmware, string type)
    {
        _storage = storage;
        _reply = reply;
        _board = board;
        _firmware = firmware;
        _type = type;
    }

    /// <summary>True once the peer asked for REBOOT and was answered: the transport reboots the node.</summary>
    public bool RebootRequested { get; private set; }

    /// <summary>How many records this session has committed.</summary>
    public int Commits { get; private set; }

    /// <summary>Bytes from the serial line; each complete line is answered at once.</summary>
    public void Feed(byte[] data, int offset, int count, long nowMs)
    {
        Poll(nowMs);
        for (int i = offset; i < offset + count; i++)
        {
            byte b = data[i];
            if (b == (byte)'\n')
            {
                EndOfLine(nowMs);
                continue;
            }
            if (_length == MaxLine) _overflow = true;
            else _line[_length++] = b;
        }
    }

    /// <summary>Forgets a session idle for longer than <see cref="IdleMs"/>; call it while no bytes arrive.</summary>
    public void Poll(long nowMs)
    {
        if (_open && nowMs - _lastMs > IdleMs)
        {
            _open = false;
            Reset();
        }
    }

    private void EndOfLine(long nowMs)
    {
        _lastMs = nowMs;
        int length = _length;
        bool overflow = _overflow;
        _length = 0;
        _overflow = false;
        if (length > 0 && _line[length - 1] == (byte)'\r') length--;
        if (overflow)
        {
            _reply.WriteLine("ERR line too long (at most " + MaxLine.ToString() + " bytes)");
            return;
        }
        if (length == 0) return;
        string line = Utf8.GetString(_line, 0, length);
        if (!IsText(line))
        {
            _reply.WriteLine("ERR line is not text");
            return;
        }
        Handle(line);
    }

    private void Handle(string line)
    {
        int space = line.IndexOf(' ');
        string command = space < 0 ? line : line.Substring(0, space);
        string argument = space < 0 ? "" : line.Substring(space + 1);
        if (command == "HELLO")
        {
            if (argument != Version)
            {
                _reply.WriteLine("ERR unsupported protocol '" + argument + "' (this node speaks " + Version + ")");
                return;
            }
            _open = true;
            Reset();
            _reply.WriteLine("OK " + Version);
            return;
        }
        if (command != "INFO" && command != "SET" && command != "COMMIT" && command != "ABORT" && command != "REBOOT")
        {
            _reply.WriteLine("ERR unknown command '" + Printable(command) + "' (HELLO, INFO, SET, COMMIT, ABORT, REBOOT)");
            return;
        }
        if (!_open)
        {
            _reply.WriteLine("ERR say HELLO " + Version + " first");
            return;
        }
        if (command == "INFO") Info();
        else if (command == "SET") Set(argument);
        else if (command == "COMMIT") Commit();
        else if (command == "ABORT")
        {
            Reset();
            _reply.WriteLine("OK aborted");
        }
        else
        {
            RebootRequested = true;
            _reply.WriteLine("OK rebooting");
        }
    }

    private void Info()
    {
        string node = "-";
        bool provisioned = false;
        try
        {
            node = ProvisioningRecord.Load(_storage).NodeId;
            provisioned = true;
        }
        catch (FormatException)
        {
        }
        _reply.WriteLine("OK board=" + _board + " fw=" + _firmware + " type=" + _type + " node=" + node + " provisioned=" + (provisioned ? "yes" : "no"));
    }

    private void Set(string argument)
    {
        int eq = argument.IndexOf('=');
        if (eq <= 0)
        {
            _reply.WriteLine("ERR SET needs key=value");
            return;
        }
        string key = argument.Substring(0, eq).Trim();
        string value = argument.Substring(eq + 1).Trim();
        string? error = _pending.Set(key, value);
        if (error != null)
        {
            _reply.WriteLine("ERR " + error);
            return;
        }
        _text = _text + key + "=" + value + "\n";
        _reply.WriteLine("OK " + key);
    }

    private void Commit()
    {
        string? missing = _pending.Missing();
        if (missing != null)
        {
            _reply.WriteLine("ERR " + missing + " is missing");
            return;
        }
        byte[] bytes = Utf8.GetBytes(_text);
        if (bytes.Length > ProvisioningRecord.MaxBytes)
        {
            _reply.WriteLine("ERR record is " + bytes.Length.ToString() + " bytes, more than " + ProvisioningRecord.MaxBytes.ToString());
            return;
        }
        // Parsed whole once more, exactly as the next boot will read it, before it replaces the old record.
        try
        {
            ProvisioningRecord.Parse(_text);
        }
        catch (FormatException e)
        {
            _reply.WriteLine("ERR " + e.Message);
            return;
        }
        _storage.Write(ProvisioningRecord.StorageKey, bytes, bytes.Length);
        Commits++;
        _reply.WriteLine("OK committed " + bytes.Length.ToString() + " bytes");
    }

    private void Reset()
    {
        _pending = new ProvisioningRecord();
        _text = "";
    }

    // Text = no control characters but tab, and nothing the UTF-8 decoder had to replace.
    private static bool IsText(string s)
    {
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            if ((c < 0x20 && c != '\t') || c == 0x7F || c == '\uFFFD') return false;
        }
        return true;
    }

    private static string Printable(string s) => s.Length > 16 ? s.Substring(0, 16) + "…" : s;
}
