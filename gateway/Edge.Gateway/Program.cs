using System;
using System.Linq;

namespace Edge.Gateway;

public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Any(a => a is "--help" or "-h" or "-?"))
        {
            Console.WriteLine(GatewayHost.Usage);
            return 0;
        }
        using var app = GatewayHost.Build(args);
        app.Run();
        return 0;
    }
}
