using System;
using System.IO;
using System.IO.Ports;
using Edge.Firmware.Provisioning;

namespace Edge.Cli.Provisioning;

/// <summary>
/// The tool's side of edge-prov/1 (docs/provisioning.md) on a serial device: System.IO.Ports, 115200 8N1, which on
/// Linux opens a USB serial adapter and a pseudo-terminal alike. Every line is answered OK or ERR; the first ERR
/// stops the session with ABORT, so the node keeps its old record. Secret values are never printed.
/// </summary>
public sealed class SerialProvisioner : IDisposable
{
    public const int BaudRate = 115200;
    private readonly SerialPort _port;
    private readonly string _device;
    private readonly Action<string> _log;

    private SerialProvisioner(SerialPort port, string device, Action<string> log)
    {
        _port = port;
        _device = device;
        _log = log;
    }

    /// <summary>Opens the device and greets the node; throws IOException with what to try when that fails.</summary>
    public static SerialProvisioner Open(string device, TimeSpan answerTimeout, Action<string> log)
    {
        var port = new SerialPort(device, BaudRate, Parity.None, 8, StopBits.One)
        {
            NewLine = "\n",
            ReadTimeout = (int)answerTimeout.TotalMilliseconds,
            WriteTimeout = (int)answerTimeout.TotalMilliseconds,
        };
        try
        {
            port.Open();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException)
        {
            port.Dispose();
            throw new IOException("cannot open " + device + ": " + e.Message
                + " (is the node plugged in, is another program such as a serial monitor or nanoff using the port, are you in the 'dialout' group?)");
        }
        var p = new SerialProvisioner(port, device, log);
        try
        {
            // Whatever the node printed before the session (boot messages) is not an answer.
            port.DiscardInBuffer();
            p.Expect("HELLO " + SerialProvisioningSession.Version, "HELLO " + SerialProvisioningSession.Version);
        }
        catch
        {
            p.Dispose();
            throw;
        }
        return p;
    }

    /// <summary>INFO: the node's board, firmware, app type and current node id.</summary>
    public (string Board, string Firmware, string Type, string Node, bool Provisioned) Info()
    {
        string answer = Expect("INFO", "INFO");
        string Field(string name)
        {
            foreach (var part in answer.Split(' '))
                if (part.StartsWith(name + "=", StringComparison.Ordinal)) return part[(name.Length + 1)..];
            throw new IOException(_device + ": INFO answer '" + answer + "' has no " + name);
        }
        return (Field("board"), Field("fw"), Field("type"), Field("node"), Field("provisioned") == "yes");
    }

    /// <summary>SETs every line, COMMITs and asks for REBOOT; on the first refusal ABORTs and throws FormatException.</summary>
    public void Provision(RecordText record)
    {
        foreach (var line in record.Lines)
        {
            string shown = ProvisioningRecord.IsSecretKey(line.Key) ? line.Key + "=(not shown)" : line.Key + "=" + line.Value;
            Expect("SET " + line.Key + "=" + line.Value, "SET " + shown);
        }
        Expect("COMMIT", "COMMIT");
        Expect("REBOOT", "REBOOT");
    }

    private string Expect(string line, string shown)
    {
        _port.WriteLine(line);
        string answer;
        try
        {
            answer = _port.ReadLine().TrimEnd('\r');
        }
        catch (TimeoutException)
        {
            throw new IOException("no answer from " + _device + " within " + _port.ReadTimeout / 1000 + " s to " + shown.Split(' ')[0]
                + ": is it the node's USB port, and is the node waiting for provisioning (no record yet, or the boot button held while it starts)?");
        }
        _log(shown + " → " + answer);
        if (answer.StartsWith("OK", StringComparison.Ordinal)) return answer.Length > 3 ? answer[3..] : "";
        if (answer.StartsWith("ERR ", StringComparison.Ordinal))
        {
            if (!line.StartsWith("HELLO", StringComparison.Ordinal)) TryAbort();
            throw new FormatException("the node refused " + shown.Split(' ')[0] + ": " + answer[4..] + " (nothing was written; the node keeps its old record)");
        }
        throw new IOException(_device + " answered '" + answer + "' to " + shown.Split(' ')[0] + ": not an " + SerialProvisioningSession.Version + " node (wrong port or wrong speed?)");
    }

    private void TryAbort()
    {
        try
        {
            _port.WriteLine("ABORT");
            _port.ReadLine();
        }
        catch (Exception e) when (e is TimeoutException or IOException)
        {
        }
    }

    public void Dispose() => _port.Dispose();
}
