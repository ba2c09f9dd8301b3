using StoryEngine.Core.Jobs;
using StoryEngine.Core.Stories;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Web;

/// <summary>What browser tests read from the server under test behind the pages: its job queue and story log.</summary>
public static class ServerUnderTest
{
    /// <summary>Waits until every job of <paramref name="type"/> queued for the adventure has finished (and, unless told otherwise, at least one exists).</summary>
    public static async Task WaitAsync(ServerFixture server, string adventureId, string type, bool atLeastOne = true)
    {
        var store = server.Services.GetRequiredService<IJobStore>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var jobs = (await store.ListAsync(new JobListQuery(null, adventureId, null, 200, null), CancellationToken.None)).Where(j => j.Type == type).ToArray();
            if ((jobs.Length > 0 || !atLeastOne) && jobs.All(j => JobStates.IsFinished(j.State)))
            {
                return;
            }
            Assert.True(DateTime.UtcNow < deadline, $"The {type} jobs of {adventureId} did not finish: {string.Join(", ", jobs.Select(j => j.State))}");
            await Task.Delay(50);
        }
    }

    public static async Task<string[]> EventTypesAsync(ServerFixture server, string adventureId) =>
        (await server.Services.GetRequiredService<IStoryLog>().ReadAsync(adventureId, 0, 1000, CancellationToken.None)).Select(e => e.Type).ToArray();
}
