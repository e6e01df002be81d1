using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using Edge.Firmware.Provisioning;

namespace Edge.Cli.Provisioning;

/// <summary>
/// The provisioning record as `edge node provision` writes it: key=value lines in a fixed order, checked by the
/// firmware's own parser (<see cref="ProvisioningRecord"/>) and its size limit before anything leaves the tool.
/// </summary>
public sealed class RecordText
{
    private readonly List<KeyValuePair<string, string>> _lines = new();

    public IReadOnlyList<KeyValuePair<string, string>> Lines => _lines;

    public RecordText Add(string key, string? value)
    {
        if (value != null) _lines.Add(new(key, value));
        return this;
    }

    public RecordText Add(string key, double? value) => Add(key, value?.ToString("0.0######", CultureInfo.InvariantCulture));

    public string Text
    {
        get
        {
            var text = new StringBuilder();
            foreach (var line in _lines)
            {
                if (line.Value.Contains('\n') || line.Value.Contains('\r')) throw new FormatException(line.Key + ": must be one line");
                text.Append(line.Key).Append('=').Append(line.Value).Append('\n');
            }
            return text.ToString();
        }
    }

    /// <summary>Parses the record exactly as the node will; throws FormatException ("node: key: why") otherwise.</summary>
    public ProvisioningRecord Validate()
    {
        string text = Text;
        int bytes = Encoding.UTF8.GetByteCount(text);
        if (bytes > ProvisioningRecord.MaxBytes) throw new FormatException("node: record is " + bytes + " bytes, more than the node reads (" + ProvisioningRecord.MaxBytes + ")");
        return ProvisioningRecord.Parse(text);
    }
}
