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

    /// <summary>
    /// Runs a browser expectation about the adventure; when it fails, the failure also says what the server holds
    /// behind the page (its events and jobs, with their attempts and errors), which a screenshot cannot show.
    /// </summary>
    public static async Task ExplainingAsync(ServerFixture server, string adventureId, Func<Task> expectation)
    {
        try
        {
            await expectation();
        }
        catch (Microsoft.Playwright.PlaywrightException e)
        {
            throw new Xunit.Sdk.XunitException(e.Message + "\n" + await DescribeAsync(server, adventureId));
        }
    }

    private static async Task<string> DescribeAsync(ServerFixture server, string adventureId)
    {
        var events = await server
            .Services.GetRequiredService<IStoryLog>()
            .ReadAsync(adventureId, 0, 1000, CancellationToken.None);
        var jobs = await server
            .Services.GetRequiredService<IJobStore>()
            .ListAsync(new JobListQuery(null, adventureId, null, 200, null), default);
        return "Events: "
            + string.Join(", ", events.Select(e => $"{e.Sequence} {e.Type} by {e.Actor}"))
            + "\nJobs: "
            + string.Join(
                "; ",
                jobs.Select(j =>
                    $"{j.Type} {j.State} after {j.Attempts} attempt(s), created {j.CreatedAt:HH:mm:ss.fff}, "
                    + $"finished {j.FinishedAt:HH:mm:ss.fff}, error {j.LastError ?? "none"}"
                )
            )
            + $"\nServer clock: {server.Clock.GetUtcNow():HH:mm:ss.fff}";
    }
}
