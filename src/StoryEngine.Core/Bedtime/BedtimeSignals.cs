using System.Collections.Concurrent;

namespace StoryEngine.Core.Bedtime;

/// <summary>
/// Wakes the progress streams of a story on this node when its job saved something. A stream also looks again after
/// a short wait, so progress made on another node (the job ran there) reaches it too, only a little later.
/// </summary>
public sealed class BedtimeSignals
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _waiting = new(StringComparer.Ordinal);

    public void Pulse(string storyId)
    {
        if (_waiting.TryRemove(storyId, out var waiting))
        {
            waiting.TrySetResult();
        }
    }

    /// <summary>Returns when the story changes here or after <paramref name="atMost"/>.</summary>
    public async Task WaitAsync(string storyId, TimeSpan atMost, CancellationToken cancellationToken)
    {
        var signal = _waiting.GetOrAdd(storyId, _ => new TaskCompletionSource(
            TaskCreationOptions.RunContinuationsAsynchronously
        ));
        await Task.WhenAny(signal.Task, Task.Delay(atMost, cancellationToken));
        cancellationToken.ThrowIfCancellationRequested();
    }
}
