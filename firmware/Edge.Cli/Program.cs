using Edge.Cli;
using Edge.Cli.Commands;
using Spectre.Console.Cli;

var app = new CommandApp();
app.Configure(config =>
{
    config.SetApplicationName("edge");
    config.PropagateExceptions();
    config.AddCommand<SunCommand>("sun")
        .WithDescription("Print a day's official sunrise and sunset (UTC) for a place, computed as a node does.")
        .WithExample("sun", "--lat", "39.5", "--lon", "20.27", "--date", "2026-06-21");
    config.AddBranch("hydro", hydro =>
    {
        hydro.SetDescription("Water-level gauge tools.");
        hydro.AddCommand<HydroReplayCommand>("replay")
            .WithDescription("Replay a logged timestamp,distance_mm series through the gauge's node logic: print every state change and a summary.")
            .WithExample("hydro", "replay", "docs/examples/hydro/storm.csv", "--config", "docs/examples/hydro/gauge.json");
    });
});
return CliErrors.Run(app, args);
