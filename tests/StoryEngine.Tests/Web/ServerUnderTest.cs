using StoryEngine.Core.Jobs;
using StoryEngine.Core.Stories;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Web;

/// <summary>What browser tests read from the server under test behind the pages: its job queue and story log.</summary>
public static class ServerUnderTest
{
    /// <summary>Waits until every job of <paramref name="type"/> queued for the adventure has finished (and, unless
    /// told otherwise, at least one exists).</summary>
    public static async Task WaitAsync(ServerFixture server, string adventureId, string type, bool atLeastOne = true)
    {
        var store = server.Services.GetRequiredService<IJobStore>();
        await Poll.UntilAsync(
            async () =>
                (await store.ListAsync(new JobListQuery(null, adventureId, null, 200, null), default))
                    .Where(j => j.Type == type)
                    .ToArray(),
            jobs => (jobs.Length > 0 || !atLeastOne) && jobs.All(j => JobStates.IsFinished(j.State)),
            jobs => $"The {type} jobs of {adventureId} did not finish: {string.Join(", ", jobs.Select(j => j.State))}",
            TimeSpan.FromSeconds(30)
        );
    }

    public static async Task<string[]> EventTypesAsync(ServerFixture server, string adventureId) =>
        (await server.Services.GetRequiredService<IStoryLog>().ReadAsync(adventureId, 0, 1000, CancellationToken.None))
            .Select(e => e.Type)
            .ToArray();
}
