using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using StoryEngine.Core.Stories;

namespace StoryEngine.Core.Narration;

/// <summary>
/// Checkpoints the text of every streaming narration once a second, all of them in one transaction. With a
/// thousand narrations at once that is one write a second instead of a thousand (issue 3: a crash keeps what was
/// streamed up to the last second).
/// </summary>
public sealed partial class DraftCheckpoints(IStoryLog log, TimeProvider clock, ILogger<DraftCheckpoints> logger)
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);
    private readonly ConcurrentDictionary<(string AdventureId, string TurnId, int Alternative), TurnRun> _pending =
        new();

    /// <summary>Notes that a narration's text grew; the next flush writes its text then (the run's tokens put
    /// together once a second, not the whole text copied at every token: with a thousand narrations that copying was
    /// most of what the turns allocated, and its collections showed in the relay's latency).</summary>
    public void Update(TurnRun run)
    {
        // Looking is lock-free and adding is not: every narration takes this at every token, and the flush removes
        // the key before it reads the run, so a token added before a look that still saw the key is in the text.
        var key = (run.AdventureId, run.TurnId, run.Alternative);
        if (!_pending.ContainsKey(key))
        {
            _pending.TryAdd(key, run);
        }
    }

    /// <summary>The narration ended with an event that holds its text; its draft is no longer needed.</summary>
    public void Forget(TurnRun run) => _pending.TryRemove((run.AdventureId, run.TurnId, run.Alternative), out _);

    /// <summary>Writes what changed since the last flush.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        var taken = new List<TurnRun>();
        var batch = new List<NarrationDraft>();
        var now = clock.GetUtcNow();
        foreach (var (key, run) in _pending)
        {
            if (_pending.TryRemove(new KeyValuePair<(string, string, int), TurnRun>(key, run)))
            {
                taken.Add(run);
                batch.Add(new NarrationDraft(run.AdventureId, run.TurnId, run.Alternative, run.Text(), now));
            }
        }
        try
        {
            await log.SaveDraftsAsync(batch, cancellationToken);
        }
        catch (System.Data.Common.DbException e)
        {
            LogFlushFailed(logger, e, batch.Count);
            foreach (var run in taken)
            {
                // the next flush reads the run again, newer text and all
                _pending.TryAdd((run.AdventureId, run.TurnId, run.Alternative), run);
            }
        }
    }

    /// <summary>Flushes every <see cref="Interval"/> until stopped.</summary>
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, clock);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await FlushAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested) { }
    }

    [LoggerMessage(
        EventId = LogEvents.Narration.DraftCheckpointFailed,
        Level = LogLevel.Warning,
        Message = "Could not checkpoint {Count} narration drafts; retrying at the next tick"
    )]
    private static partial void LogFlushFailed(ILogger logger, Exception exception, int count);
}
