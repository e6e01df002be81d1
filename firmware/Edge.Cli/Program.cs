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
});
return CliErrors.Run(app, args);
