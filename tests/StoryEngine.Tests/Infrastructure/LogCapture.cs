using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace StoryEngine.Tests.Infrastructure;

/// <summary>Keeps every log line a server writes — message, exception and scope values — for tests that search
/// them.</summary>
public sealed class LogCapture : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyCollection<string> Lines => _lines;

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose() { }

    private sealed class Logger(LogCapture capture, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull
        {
            capture._lines.Enqueue($"{category} scope: {Describe(state)}");
            return null;
        }

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(
            LogLevel logLevel,
            EventId eventId,
            TState state,
            Exception? exception,
            Func<TState, Exception?, string> formatter
        )
        {
            capture._lines.Enqueue(
                $"{logLevel} {category} [{eventId}] {formatter(state, exception)} " + $"{Describe(state)} {exception}"
            );
        }

        // The structured values too: a secret passed as a parameter but left out of the message would still reach a
        // JSON log.
        private static string Describe<T>(T state) =>
            state is IEnumerable<KeyValuePair<string, object?>> pairs
                ? string.Join(" ", pairs.Select(p => $"{p.Key}={p.Value}"))
                : state?.ToString() ?? "";
    }
}
