using System.Text.Json;
using Microsoft.Extensions.Logging;
using StoryEngine.Core.Jobs;
using StoryEngine.Core.Narration;
using StoryEngine.Core.Stories;

namespace StoryEngine.Core.Memory;

/// <summary>
/// After each completed narration: schedules indexing of the adventure for recall, and, when the prompt just built
/// left out turns no summary covers yet, a summary job. Both are deduplicated per adventure, so a burst of turns
/// queues one job of each kind. Without a job queue registered nothing is scheduled, and that is logged.
/// </summary>
public sealed partial class MemoryObserver(
    IJobQueue? queue,
    IStoryLog log,
    MemoryOptions memory,
    SummaryOptions summaries,
    ILogger<MemoryObserver> logger
) : INarrationObserver
{
    public async Task NarrationCompletedAsync(CompletedNarration narration, CancellationToken cancellationToken)
    {
        if (queue is null)
        {
            LogNoQueue(logger, narration.AdventureId);
            return;
        }
        if (memory.Enabled)
        {
            await queue.EnqueueAsync(
                new JobRequest(
                    MemoryIndexJob.JobType,
                    "{}",
                    narration.OwnerId,
                    narration.AdventureId,
                    JobPriority.Default,
                    DedupeKey: narration.AdventureId
                ),
                cancellationToken
            );
        }
        if (summaries.Enabled && await UnsummarisedThroughAsync(narration, cancellationToken) is { } through)
        {
            var payload = JsonSerializer.Serialize(new SummaryJobPayload(through), StoryEventJson.Options);
            // One unfinished summary job per adventure: two at once would ask the model to summarise the same turns
            // twice. Turns cut while one is queued or running are asked for again by the next narration after it.
            await queue.EnqueueAsync(
                new JobRequest(
                    SummaryJob.JobType,
                    payload,
                    narration.OwnerId,
                    narration.AdventureId,
                    JobPriority.Low,
                    DedupeKey: narration.AdventureId
                ),
                cancellationToken
            );
        }
    }

    /// <summary>The newest turn the narration's prompt left out for budget, when the summary it carried stops short of
    /// it.</summary>
    private async Task<int?> UnsummarisedThroughAsync(CompletedNarration narration, CancellationToken cancellationToken)
    {
        var json = await log.GetContextAsync(
            narration.AdventureId,
            narration.TurnId,
            narration.Alternative,
            cancellationToken
        );
        var report = json is null ? null : JsonSerializer.Deserialize<ContextReport>(json, StoryEventJson.Options);
        if (report?.Memory is not { } used)
        {
            return null;
        }
        var covered = used.Summaries.Count == 0 ? -1 : used.Summaries.Max(s => s.ToTurn);
        var leftOut = used.LeftOutThroughTurn is { } l && l > covered ? l : (int?)null;
        // Ahead of a trim, the turns it will drop (ADR 41), so their summary is ready when they go.
        var ahead = used.SummariseAheadThroughTurn;
        return leftOut is null ? ahead
            : ahead is null ? leftOut
            : Math.Max(leftOut.Value, ahead.Value);
    }

    [LoggerMessage(
        EventId = LogEvents.Memory.NoJobQueue,
        Level = LogLevel.Warning,
        Message = "No job queue is " + "registered: adventure {AdventureId} is not indexed for recall or summarised"
    )]
    private static partial void LogNoQueue(ILogger logger, string adventureId);
}
