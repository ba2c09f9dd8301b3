using System.Text.Json;
using StoryEngine.Core.Jobs;
using StoryEngine.Core.Narration;

namespace StoryEngine.Core.State;

/// <summary>After each completed narration, queues a <see cref="StateExtractionJob"/> for it (one per narration,
/// deduplicated).</summary>
public sealed class StateExtractionObserver(IJobQueue jobs) : INarrationObserver
{
    public async Task NarrationCompletedAsync(CompletedNarration narration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(narration);
        var payload = JsonSerializer.Serialize(
            new StateExtractionJob.Payload(narration.AdventureId, narration.TurnId, narration.Alternative),
            StateJson.Strict
        );
        await jobs.EnqueueAsync(
            new JobRequest(
                StateExtractionJob.JobType,
                payload,
                narration.OwnerId,
                narration.AdventureId,
                JobPriority.Default,
                $"{narration.AdventureId}/{narration.TurnId}/{narration.Alternative}"
            ),
            cancellationToken
        );
    }
}
