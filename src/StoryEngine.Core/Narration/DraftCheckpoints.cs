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
    private readonly ConcurrentDictionary<
        (string AdventureId, string TurnId, int Alternative),
        NarrationDraft
    > _pending = new();

    /// <summary>Notes the newest text of a narration; the next flush writes it.</summary>
    public void Update(TurnRun run, string text) =>
        _pending[(run.AdventureId, run.TurnId, run.Alternative)] = new NarrationDraft(
            run.AdventureId,
            run.TurnId,
            run.Alternative,
            text,
            clock.GetUtcNow()
        );

    /// <summary>The narration ended with an event that holds its text; its draft is no longer needed.</summary>
    public void Forget(TurnRun run) => _pending.TryRemove((run.AdventureId, run.TurnId, run.Alternative), out _);

    /// <summary>Writes what changed since the last flush.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        var batch = new List<NarrationDraft>();
        foreach (var (key, draft) in _pending)
        {
            if (_pending.TryRemove(new KeyValuePair<(string, string, int), NarrationDraft>(key, draft)))
            {
                batch.Add(draft);
            }
        }
        try
        {
            await log.SaveDraftsAsync(batch, cancellationToken);
        }
        catch (System.Data.Common.DbException e)
        {
            LogFlushFailed(logger, e, batch.Count);
            foreach (var draft in batch)
            {
                // newer text wins if it came meanwhile
                _pending.TryAdd((draft.AdventureId, draft.TurnId, draft.Alternative), draft);
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
