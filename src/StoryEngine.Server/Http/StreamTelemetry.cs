using StoryEngine.Core.Telemetry;

namespace StoryEngine.Server.Http;

/// <summary>Counts a narration event stream as open (<c>storyengine.streams.active</c>) until it is disposed.</summary>
internal sealed class StreamTelemetry : IDisposable
{
    private int _disposed;

    private StreamTelemetry() => StoryMetrics.ActiveStreams.Add(1);

    public static StreamTelemetry Opened() => new();

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            StoryMetrics.ActiveStreams.Add(-1);
        }
    }
}
