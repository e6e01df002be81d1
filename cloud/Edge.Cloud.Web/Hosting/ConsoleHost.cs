using System.Threading.Tasks;

namespace Edge.Cloud.Web.Hosting;

/// <summary>
/// The cloud with its console: the API composition of <see cref="Edge.Cloud.Program"/> plus the pages, in one app.
/// (The console cannot be wired from inside Edge.Cloud, which it depends on, so this host composes both.)
/// </summary>
public static class ConsoleHost
{
    public static Task Main(string[] args) => Create(args).RunAsync();

    /// <summary>The cloud app with the console; <paramref name="configure"/> as in <see cref="Edge.Cloud.Program.CreateApp"/>.</summary>
    public static Microsoft.AspNetCore.Builder.WebApplication Create(string[] args, System.Action<Microsoft.AspNetCore.Builder.WebApplicationBuilder>? configure = null)
    {
        var app = Edge.Cloud.Program.CreateApp(args, builder =>
        {
            configure?.Invoke(builder);
            builder.AddEdgeConsole();
        });
        app.MapEdgeConsole();
        return app;
    }
}
