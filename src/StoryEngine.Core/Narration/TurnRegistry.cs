using System.Collections.Concurrent;
using StoryEngine.Core.Stories;

namespace StoryEngine.Core.Narration;

/// <summary>
/// One narration at a time per adventure, on this node. Finished runs stay for <see cref="Linger"/> so a client
/// that dropped its connection near the end can still re-attach and read the outcome.
/// </summary>
public sealed class TurnRegistry(TimeProvider clock)
{
    public static readonly TimeSpan Linger = TimeSpan.FromMinutes(2);
    private readonly ConcurrentDictionary<string, (TurnRun Run, DateTimeOffset FinishedAt)> _runs = new(
        StringComparer.Ordinal
    );

    /// <summary>Claims the adventure for a new narration, or throws <see cref="TurnInProgressException"/>.</summary>
    public TurnRun Begin(string adventureId, string turnId, int alternative, string? ownerId = null)
    {
        var run = new TurnRun(adventureId, turnId, alternative) { OwnerId = ownerId };
        while (true)
        {
            if (_runs.TryGetValue(adventureId, out var existing))
            {
                if (!existing.Run.IsFinished)
                {
                    throw InProgress(adventureId);
                }
                if (_runs.TryUpdate(adventureId, (run, DateTimeOffset.MaxValue), existing))
                {
                    return run;
                }
            }
            else if (_runs.TryAdd(adventureId, (run, DateTimeOffset.MaxValue)))
            {
                return run;
            }
        }
    }

    /// <summary>
    /// Throws <see cref="TurnInProgressException"/> when a narration of this adventure is in flight (undo, edit, fork
    /// wait for it).
    /// </summary>
    public void EnsureIdle(string adventureId)
    {
        if (_runs.TryGetValue(adventureId, out var existing) && !existing.Run.IsFinished)
        {
            throw InProgress(adventureId);
        }
    }

    /// <summary>The running narration, or the last one if it finished less than <see cref="Linger"/> ago.</summary>
    public TurnRun? Find(string adventureId)
    {
        Sweep();
        return _runs.TryGetValue(adventureId, out var entry) ? entry.Run : null;
    }

    public void Finished(TurnRun run)
    {
        _runs.TryUpdate(run.AdventureId, (run, clock.GetUtcNow()), (run, DateTimeOffset.MaxValue));
        Sweep();
    }

    /// <summary>Gives up a claim whose action could not even be committed.</summary>
    public void Abandon(TurnRun run) =>
        _runs.TryRemove(
            new KeyValuePair<string, (TurnRun, DateTimeOffset)>(run.AdventureId, (run, DateTimeOffset.MaxValue))
        );

    public IReadOnlyList<TurnRun> Active => _runs.Values.Where(e => !e.Run.IsFinished).Select(e => e.Run).ToArray();

    private void Sweep()
    {
        var cutoff = clock.GetUtcNow() - Linger;
        foreach (var (id, entry) in _runs)
        {
            if (entry.FinishedAt < cutoff)
            {
                _runs.TryRemove(new KeyValuePair<string, (TurnRun, DateTimeOffset)>(id, entry));
            }
        }
    }

    private static TurnInProgressException InProgress(string adventureId) => new(adventureId);
}
