using System;
using System.IO;
using Spectre.Console.Cli;

namespace Edge.Cli;

/// <summary>
/// Turns failures into one clear line on stderr and a non-zero exit code: 1 for invalid input the
/// user can fix (bad file, bad option value), 2 for wrong usage, never a stack trace.
/// </summary>
public static class CliErrors
{
    public const int Invalid = 1;
    public const int Usage = 2;

    public static int Run(CommandApp app, string[] args)
    {
        try
        {
            return app.Run(args);
        }
        catch (CommandParseException e)
        {
            Console.Error.WriteLine("edge: " + e.Message);
            return Usage;
        }
        catch (Exception e) when (e is CommandRuntimeException or UsageException)
        {
            Console.Error.WriteLine("edge: " + e.Message);
            return Usage;
        }
        catch (Exception e) when (e is FormatException or ArgumentException or IOException or UnauthorizedAccessException
            or Cloud.SignInException or Cloud.CloudException or OperationCanceledException)
        {
            Console.Error.WriteLine("edge: " + e.Message);
            return Invalid;
        }
    }
}
