using System;
using System.Linq;
using Edge.Gateway.Broker;
using Edge.Gateway.Operations;
using Edge.Gateway.Registry;
using Microsoft.Extensions.DependencyInjection;

namespace Edge.Gateway;

public static class Program
{
    public static int Main(string[] args)
    {
        // Before anything can create a socket: the runtime reads the switch once, with the first socket. Why, and what
        // it requires of every socket continuation in the gateway: Operations/SocketCompletions.cs, docs/gateway.md "Threads".
        SocketCompletions.EnableInline();
        if (args.Any(a => a is "--help" or "-h" or "-?"))
        {
            Console.WriteLine(GatewayHost.Usage);
            return 0;
        }
        using var app = GatewayHost.Build(args);
        if (app.Configuration["Gateway:ExportMosquitto"] is { Length: > 0 } exportDirectory)
        {
            return ExportMosquitto(app, exportDirectory);
        }
        app.Run();
        return 0;
    }

    /// <summary>--export-mosquitto: writes the site broker's password and ACL files from the registry (docs/gateway.md).</summary>
    static int ExportMosquitto(Microsoft.AspNetCore.Builder.WebApplication app, string directory)
    {
        var options = app.Services.GetRequiredService<GatewayOptions>();
        var registry = app.Services.GetRequiredService<NodeRegistry>();
        try
        {
            var result = MosquittoExport.Write(directory, registry, options.Broker.External, options.Registry.HashIterations);
            Console.WriteLine($"Wrote {result.PasswordFile} and {result.AclFile}: gateway user '{options.Broker.External.UserName}' and {result.Exported.Count} node(s).");
            if (result.Skipped.Count > 0)
            {
                Console.Error.WriteLine($"Not exported (no Mosquitto hash: provisioned by the cloud or before external-broker support; rotate the secret with POST /api/nodes/{{id}}/secret): {string.Join(", ", result.Skipped)}");
            }
            Console.WriteLine("Reload Mosquitto to apply: systemctl reload mosquitto (SIGHUP).");
            return 0;
        }
        catch (InvalidOperationException exception)
        {
            Console.Error.WriteLine(exception.Message);
            return 2;
        }
    }
}
