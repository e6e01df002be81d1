using System;
using System.Collections.Generic;
using System.Globalization;
using CsvHelper;

namespace Edge.Cloud.Transit.Gtfs;

/// <summary>
/// Reads one GTFS file with CsvHelper (RFC 4180 quoting, a UTF-8 byte-order mark allowed, values trimmed, rows
/// shorter than the header read as empty trailing fields, as the reference sample feed has them) and hands
/// each row to the caller as a <see cref="GtfsRow"/> that reports bad values with file, line and field.
/// </summary>
public static class GtfsTable
{
    /// <summary>A record longer than this is an unclosed quote swallowing the file, not a GTFS row.</summary>
    private const int MaxRecordBytes = 64 * 1024;

    /// <summary>Reads <paramref name="file"/>; a required column missing from the header is reported once
    /// (line 1) and its per-row checks are skipped. Records with broken quoting are reported and skipped.</summary>
    public static void Read(byte[] content, string file, IReadOnlyCollection<string> requiredColumns, GtfsProblems problems, Action<GtfsRow> each)
    {
        var row = new GtfsRow(file, problems);
        var options = CsvReaderOptions.Default with
        {
            Separator = ',',
            HasHeader = true,
            AllowLineBreaksInQuotes = true,
            SkipEmptyLines = true,
            TrimWhitespace = true,
            TrackLineNumbers = true,
            MaxRecordSize = MaxRecordBytes,
            MalformedData = CsvMalformedDataHandling.Skip,
            FieldCountMismatch = CsvFieldCountHandling.Allow,
            MissingField = CsvMissingFieldHandling.ReturnEmpty,
            OnMalformedRecord = bad => problems.Add(file, (int)bad.LineNumber, null, bad.Reason switch
            {
                CsvMalformedReason.UnterminatedQuote => "bad CSV quoting: a quoted field is never closed",
                CsvMalformedReason.StrayQuote => "bad CSV quoting: a quote inside an unquoted field (quote the field and double the quote)",
                CsvMalformedReason.TextAfterClosingQuote => "bad CSV quoting: text after a closing quote",
                _ => "bad CSV record: " + bad.Reason,
            }),
        };
        using var csv = CsvReader.Create(content, options);
        try
        {
            var header = csv.Headers;
            if (header.Count == 0)
            {
                problems.Add(file, 0, null, "the file is empty (a header row is required)");
                return;
            }
            var columns = new Dictionary<string, int>(StringComparer.Ordinal);
            for (var i = 0; i < header.Count; i++)
            {
                var name = header[i].Trim().TrimStart('\uFEFF');
                if (!columns.TryAdd(name, i)) problems.Add(file, 1, name, "the column appears twice in the header");
            }
            foreach (var required in requiredColumns)
            {
                if (!columns.ContainsKey(required)) problems.Add(file, 1, required, "required column is missing");
            }
            row.Columns = columns;
            row.Csv = csv;
            while (csv.Read())
            {
                row.Line = (int)csv.LineNumber;
                each(row);
            }
        }
        catch (CsvFormatException e)
        {
            problems.Add(file, (int)e.LineNumber, null, "unreadable CSV: " + FirstLine(e.Message));
        }
    }

    private static string FirstLine(string text)
    {
        var end = text.IndexOfAny(new[] { '\r', '\n' });
        return end < 0 ? text : text[..end];
    }
}

/// <summary>The current row of a <see cref="GtfsTable"/>: typed field access that records what is wrong.</summary>
public sealed class GtfsRow
{
    private readonly GtfsProblems _problems;

    internal GtfsRow(string file, GtfsProblems problems)
    {
        File = file;
        _problems = problems;
    }

    public string File { get; }

    public int Line { get; internal set; }

    internal Dictionary<string, int> Columns { get; set; } = new();

    internal CsvReader Csv { get; set; } = null!;

    public void Problem(string? field, string message) => _problems.Add(File, Line, field, message);

    /// <summary>The trimmed value, or null when the column is absent or the field empty.</summary>
    public string? Optional(string field)
    {
        if (!Columns.TryGetValue(field, out var index)) return null;
        var value = Csv.GetString(index);
        return string.IsNullOrEmpty(value) ? null : value;
    }

    /// <summary>The value; an empty field is a problem (an absent column was reported with the header).</summary>
    public string? Required(string field)
    {
        var value = Optional(field);
        if (value is null && Columns.ContainsKey(field)) Problem(field, "required value is empty");
        return value;
    }

    public int? Integer(string field, int min, int max, bool required = false)
    {
        var text = required ? Required(field) : Optional(field);
        if (text is null) return null;
        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            Problem(field, $"\"{text}\" is not a whole number in {min}..{max}");
            return null;
        }
        return value;
    }

    public int? Time(string field)
    {
        var text = Optional(field);
        if (text is null) return null;
        if (!GtfsTime.TryParseTime(text, out var seconds))
        {
            Problem(field, $"\"{text}\" is not a GTFS time H:MM:SS (minutes and seconds 00-59; hours may pass 24 after midnight)");
            return null;
        }
        return seconds;
    }

    public DateOnly? Date(string field, bool required)
    {
        var text = required ? Required(field) : Optional(field);
        if (text is null) return null;
        if (!GtfsTime.TryParseDate(text, out var date))
        {
            Problem(field, $"\"{text}\" is not a date YYYYMMDD");
            return null;
        }
        return date;
    }
}
