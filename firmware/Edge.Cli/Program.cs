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
    config.AddBranch("display", display =>
    {
        display.SetDescription("Bus-stop display tools.");
        display.AddCommand<DisplayRenderCommand>("render")
            .WithDescription("Render a display content document to a PNG exactly as a stop's panel would show it.")
            .WithExample("display", "render", "content.json", "--width", "800", "--height", "480", "--out", "stop.png");
    });
});
return CliErrors.Run(app, args);
