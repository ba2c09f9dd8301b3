using StoryEngine.Core.Jobs;
using StoryEngine.Core.State;

namespace StoryEngine.Server.Web;

/// <summary>
/// The play view's world-state panel: the adventure's tracked state as <c>GET /api/v1/adventures/{id}/state</c> gives
/// it
/// (read through the same <see cref="WorldStates"/>), and whether a turn is still being read for changes. State
/// extraction is a background job queued before the narration's stream ends, so a page loaded when a turn finishes
/// sees it pending and play.js asks again until it is done.
/// </summary>
public sealed record WorldStatePanel(string AdventureId, WorldState State, bool Pending)
{
    // The newest jobs of an adventure are enough: a state job is queued after each narration, so an unfinished one is
    // recent.
    private const int RecentJobs = 50;

    public static async Task<WorldStatePanel> LoadAsync(
        WorldStates states,
        IJobStore jobs,
        string userId,
        string adventureId,
        CancellationToken cancellationToken
    )
    {
        // The jobs first, then the state: a job that finished before the first read has its change in the second,
        // and one that has not is shown as pending (and refreshed). Read the other way round, a change appended
        // between the two reads was neither shown nor waited for.
        var recent = await jobs.ListAsync(
            new JobListQuery(userId, adventureId, null, RecentJobs, null),
            cancellationToken
        );
        var pending = recent.Any(j => j.Type == StateExtractionJob.JobType && !JobStates.IsFinished(j.State));
        var (state, _) = await states.GetAsync(userId, adventureId, null, cancellationToken);
        return new WorldStatePanel(adventureId, state.Normalized(), pending);
    }
}
