using System.Text.Json;
using StoryEngine.Core.Jobs;
using StoryEngine.Core.Memory;
using StoryEngine.Core.State;
using StoryEngine.Core.Stories;

namespace StoryEngine.Core.Adventures;

/// <summary>
/// The follow-up work a played turn queues (<see cref="MemoryObserver"/>, <see cref="StateExtractionObserver"/>),
/// queued once for a whole imported chat (issue 17), since its turns were never narrated here:
/// <list type="bullet">
/// <item>one <see cref="MemoryIndexJob"/>, which indexes every turn of the adventure for recall;</item>
/// <item>one <see cref="SummaryJob"/> through the last turn that is more than <see cref="SummaryOptions.ChunkTurns"/>
/// turns old, when the chat is that long: a chat that long rarely fits the prompt, and the first turn played after
/// the import would otherwise go without a summary of what fell out;</item>
/// <item>one <see cref="StateExtractionJob"/> over the newest <see cref="StateExtractionJob.MaxPassageTurns"/> turns
/// read together, recorded on the last turn: the state the story continues from, for one model call instead of one a
/// turn (ADR 0042).</item>
/// </list>
/// Without a job queue registered nothing is queued, as for played turns.
/// </summary>
public sealed class ImportedChatJobs(IJobQueue? queue, MemoryOptions memory, SummaryOptions summaries)
{
    public async Task QueueAsync(
        Adventure adventure,
        IReadOnlyList<TurnRecord> turns,
        CancellationToken cancellationToken
    )
    {
        var last = turns.Where(t => !t.Undone).MaxBy(t => t.Number);
        if (queue is null || last is null)
        {
            return;
        }
        if (memory.Enabled)
        {
            await queue.EnqueueAsync(
                new JobRequest(
                    MemoryIndexJob.JobType,
                    "{}",
                    adventure.OwnerId,
                    adventure.Id,
                    JobPriority.Default,
                    DedupeKey: adventure.Id
                ),
                cancellationToken
            );
        }
        var through = last.Number - summaries.ChunkTurns;
        if (summaries.Enabled && through >= 0)
        {
            await queue.EnqueueAsync(
                new JobRequest(
                    SummaryJob.JobType,
                    JsonSerializer.Serialize(new SummaryJobPayload(through), StoryEventJson.Options),
                    adventure.OwnerId,
                    adventure.Id,
                    JobPriority.Low,
                    DedupeKey: adventure.Id
                ),
                cancellationToken
            );
        }
        var from = Math.Max(0, last.Number - StateExtractionJob.MaxPassageTurns + 1);
        await queue.EnqueueAsync(
            new JobRequest(
                StateExtractionJob.JobType,
                JsonSerializer.Serialize(
                    new StateExtractionJob.Payload(adventure.Id, last.TurnId, last.Chosen, from),
                    StateJson.Strict
                ),
                adventure.OwnerId,
                adventure.Id,
                JobPriority.Default,
                $"{adventure.Id}/{last.TurnId}/{last.Chosen}"
            ),
            cancellationToken
        );
    }
}
