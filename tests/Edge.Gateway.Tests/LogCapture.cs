using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using Microsoft.Extensions.Logging;

namespace Edge.Gateway.Tests;

/// <summary>Keeps every log line the gateway writes (category, level, text), for tests that check what an operator sees.</summary>
public sealed class LogCapture : ILoggerProvider
{
    readonly ConcurrentQueue<(string Category, LogLevel Level, string Text)> _lines = new();

    public IReadOnlyList<(string Category, LogLevel Level, string Text)> Lines => _lines.ToArray();

    public IEnumerable<string> At(LogLevel level) => Lines.Where(l => l.Level == level).Select(l => l.Text);

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _lines);

    public void Dispose()
    {
    }

    sealed class Logger(string category, ConcurrentQueue<(string, LogLevel, string)> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            => lines.Enqueue((category, logLevel, formatter(state, exception)));
    }
}
