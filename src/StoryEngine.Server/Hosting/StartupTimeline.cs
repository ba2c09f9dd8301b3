using System.Diagnostics;
using StoryEngine.Core;

namespace StoryEngine.Server.Hosting;

/// <summary>
/// Where the server's start-up goes (issue 19): milliseconds since the process started at each step of
/// <c>storyengine serve</c>, logged once when the server is ready, so an operator (and bench/startup.sh) can see
/// whether the runtime, the host, the migrations or the services took the time.
/// </summary>
public sealed partial class StartupTimeline
{
    private readonly DateTime _processStart = Process.GetCurrentProcess().StartTime.ToUniversalTime();
    private readonly List<(string Step, long Milliseconds)> _marks = [];

    /// <summary>Notes that <paramref name="step"/> has just finished.</summary>
    public void Mark(string step) => _marks.Add((step, Since()));

    /// <summary>Logs the whole timeline when the host reports it has started.</summary>
    public void LogWhenStarted(IHostApplicationLifetime lifetime, ILogger logger) =>
        lifetime.ApplicationStarted.Register(() =>
        {
            Mark("services started");
            LogReady(logger, Since(), string.Join(", ", _marks.Select(m => $"{m.Step} at {m.Milliseconds} ms")));
        });

    private long Since() => (long)(DateTime.UtcNow - _processStart).TotalMilliseconds;

    [LoggerMessage(
        EventId = LogEvents.Hosting.Ready,
        Level = LogLevel.Information,
        Message = "Ready {Milliseconds} ms after the process started: {Timeline}"
    )]
    private static partial void LogReady(ILogger logger, long milliseconds, string timeline);
}
