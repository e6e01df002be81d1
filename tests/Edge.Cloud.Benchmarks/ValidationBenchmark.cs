using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text.Json;
using Edge.Cloud.Ingestion;
using Edge.Protocol.Messages;

namespace Edge.Cloud.Benchmarks;

/// <summary>
/// <c>-- validate [passes=200]</c>: CPU time (the process's) of <see cref="RecordValidator.Validate"/> on the benchmark's mix, one thread, no
/// database, µs per record, next to the parts it is made of (the record's UTF-8 scan, the payload's
/// <see cref="NodeMessageValidator"/> pass, the payload's text copy), each timed alone on the same records. What the
/// http path's <c>validate</c> stage spends, without the machine's other load in the figure (docs/cloud.md §Where the
/// HTTP path's time goes).
/// </summary>
public static class ValidationBenchmark
{
    public static int Run(string[] args, IReadOnlyList<string> recordJson)
    {
        var passes = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 200;
        using var document = JsonDocument.Parse("[" + string.Join(',', recordJson) + "]");
        var records = document.RootElement.EnumerateArray().ToArray();
        var payloads = records.Select(r => r.GetProperty("payload")).ToArray();
        var leaves = records.Select(r => r.GetProperty("kind").GetString() switch { "ack" => "cmd/ack", var k => k! }).ToArray();

        var parts = new (string Name, Action<int> Step)[]
        {
            ("Validate (whole)", i => { if (RecordValidator.Validate("gw-bench-1", records[i]).Record is null) throw new InvalidOperationException(); }),
            ("record UTF-8 scan", i => JsonText.FindInvalidText(JsonMarshal.GetRawUtf8Value(records[i]))),
            ("payload NodeMessageValidator", i => NodeMessageValidator.Validate(leaves[i], JsonMarshal.GetRawUtf8Value(payloads[i]))),
            ("payload GetRawText", i => payloads[i].GetRawText()),
        };
        Console.WriteLine($"# {records.Length} records, {passes} passes each, µs per record (median [min–max] of 5 runs)");
        foreach (var (name, step) in parts)
        {
            for (var i = 0; i < records.Length; i++) step(i); // warm-up
            var runs = new List<double>();
            for (var run = 0; run < 5; run++)
            {
                // The process's CPU time, not the wall clock: on a shared machine other processes' load stays out of it.
                var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                for (var pass = 0; pass < passes; pass++)
                {
                    for (var i = 0; i < records.Length; i++) step(i);
                }
                runs.Add((Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds / passes / records.Length);
            }
            var allocated = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < records.Length; i++) step(i);
            var bytes = (GC.GetAllocatedBytesForCurrentThread() - allocated) / (double)records.Length;
            Console.WriteLine($"{name,-32} {Edge.Benchmarks.Spread.Of(runs).Text("F2")} µs   {bytes,8:F0} B allocated per record");
        }
        return 0;
    }
}
