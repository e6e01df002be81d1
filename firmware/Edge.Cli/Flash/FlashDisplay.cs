using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using Spectre.Console;

namespace Edge.Cli.Flash;

/// <summary>
/// One step of a flash: what it does (in full), a short title for the live display's bar, and the work, which reports
/// nanoff's progress lines as they come.
/// </summary>
public sealed record FlashStep(string What, string Title, Func<Action<NanoffProgress>, Task> Run);

/// <summary>
/// The steps of `edge node flash` as the installer sees them: on a terminal a live Spectre.Console progress display
/// (the steps in full first, then a bar per step under its short title, filled with nanoff's own percentage of the
/// partition it writes, a spinner where nanoff prints none); with output redirected (a log file, a CI job, the tests) plain lines: the step, then each quarter of a
/// partition nanoff reports.
/// </summary>
public static class FlashDisplay
{
    public static Task RunAsync(IReadOnlyList<FlashStep> steps) =>
        !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive ? LiveAsync(steps) : PlainAsync(steps);

    private static Task LiveAsync(IReadOnlyList<FlashStep> steps)
    {
        for (int i = 0; i < steps.Count; i++) AnsiConsole.MarkupLineInterpolated($"[grey]{i + 1}. {steps[i].What}[/]");
        return AnsiConsole.Progress()
        .AutoClear(false)
        .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new SpinnerColumn())
        .StartAsync(async context =>
        {
            var tasks = new List<ProgressTask>();
            foreach (var step in steps) tasks.Add(context.AddTask(Markup.Escape(step.Title), autoStart: false));
            for (int i = 0; i < steps.Count; i++)
            {
                var task = tasks[i];
                string title = steps[i].Title;
                var partition = new PartitionProgress();
                task.StartTask();
                task.IsIndeterminate = true;
                await steps[i].Run(p =>
                {
                    if (partition.Next(p)) task.Description = Markup.Escape(title + " @ " + PartitionTable.Hex(partition.Start));
                    task.IsIndeterminate = false;
                    task.Value = p.Percent;
                });
                task.IsIndeterminate = false;
                task.Description = Markup.Escape(title);
                task.Value = task.MaxValue;
                task.StopTask();
            }
        });
    }

    private static async Task PlainAsync(IReadOnlyList<FlashStep> steps)
    {
        for (int i = 0; i < steps.Count; i++)
        {
            Console.Out.WriteLine("[" + (i + 1) + "/" + steps.Count + "] " + steps[i].What + " …");
            var partition = new PartitionProgress();
            int quarter = 0;
            await steps[i].Run(p =>
            {
                if (partition.Next(p)) quarter = 0;
                if (p.Percent < (quarter + 1) * 25) return;
                quarter = (int)(p.Percent / 25);
                Console.Out.WriteLine("  nanoff: writing from " + PartitionTable.Hex(partition.Start) + ", " + quarter * 25 + " %");
            });
        }
    }

    /// <summary>
    /// Which partition nanoff writes: its progress line names the address being written, which starts at the
    /// partition's offset at 0 % and moves up with the bytes sent; a new partition starts over at a lower percentage.
    /// </summary>
    private sealed class PartitionProgress
    {
        private double _last = double.MaxValue;

        public long Start { get; private set; }

        /// <summary>Takes a progress line; true when it starts a new partition.</summary>
        public bool Next(NanoffProgress p)
        {
            bool started = p.Percent < _last;
            if (started) Start = p.Address;
            _last = p.Percent;
            return started;
        }
    }
}
