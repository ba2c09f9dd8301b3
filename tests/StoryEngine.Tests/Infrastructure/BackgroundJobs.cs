using System.Text.Json;
using StoryEngine.Tests.Api;

namespace StoryEngine.Tests.Infrastructure;

/// <summary>
/// Waiting for the background work a turn leaves behind (state extraction, indexing, summaries), through the jobs
/// API as a client would, so tests that count model calls or tokens read a ledger that has stopped moving.
/// </summary>
public static class BackgroundJobs
{
    private static readonly string[] Finished = ["succeeded", "dead", "cancelled"];

    /// <summary>
    /// Waits until at least <paramref name="atLeast"/> jobs of <paramref name="type"/> exist for the adventure and
    /// every
    /// job of the adventure has finished; returns those of <paramref name="type"/>.
    /// </summary>
    public static async Task<JsonElement[]> SettleAsync(
        HttpClient client,
        string adventureId,
        string type = "state.extract",
        int atLeast = 1
    )
    {
        var jobs = await Poll.UntilAsync(
            async () =>
                (await (await client.GetAsync($"/api/v1/jobs?adventureId={adventureId}&limit=100")).JsonAsync())
                    .GetProperty("items")
                    .EnumerateArray()
                    .ToArray(),
            jobs =>
                jobs.Count(j => j.Str("type") == type) >= atLeast && jobs.All(j => Finished.Contains(j.Str("state"))),
            jobs =>
                "The adventure's jobs did not finish: "
                + string.Join(", ", jobs.Select(j => j.Str("type") + "=" + j.Str("state"))),
            TimeSpan.FromSeconds(30)
        );
        return jobs.Where(j => j.Str("type") == type).ToArray();
    }

    /// <summary>The totals of one purpose in a <c>/me/usage</c> answer, or null when it has no calls.</summary>
    public static JsonElement? UsageFor(JsonElement usage, string purpose) =>
        usage
            .GetProperty("byPurpose")
            .EnumerateArray()
            .Where(p => p.Str("purpose") == purpose)
            .Select(p => (JsonElement?)p.GetProperty("totals"))
            .SingleOrDefault();
}
