using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using StoryEngine.Core.Memory;
using StoryEngine.Tests.Api;
using StoryEngine.Tests.Infrastructure;
using static StoryEngine.Tests.Memory.MemoryTestData;

namespace StoryEngine.Tests.Cli;

/// <summary>
/// Issue 5, "a restart in the middle of a job": the server process is killed (SIGKILL) while a background job, taken
/// from the durable queue, waits for the utility model. After a restart the job's lease runs out, it runs again, and
/// what it writes is written exactly once: a world state change, or a summary that the next prompt carries.
/// </summary>
public sealed class JobCrashRecoveryTests : IDisposable
{
    private readonly string _dataDir = Path.Combine(
        Path.GetTempPath(),
        "storyengine-crash",
        Guid.NewGuid().ToString("N")
    );

    /// <summary>Every server process a test started, killed at the end even when an assertion failed before its own
    /// kill.</summary>
    private readonly List<System.Diagnostics.Process> _servers = [];

    [Fact]
    public async Task a_job_cut_off_by_a_kill_runs_again_after_a_restart_and_completes_once()
    {
        var backend = await ScriptedBackend.InstanceAsync();
        var marker = "crashjob" + Guid.NewGuid().ToString("N")[..8];
        backend.ScriptStructured(
            marker,
            ScriptedBackend.Hang,
            JsonSerializer.Serialize(
                new
                {
                    timeOfDay = "midnight",
                    newCharacters = Array.Empty<string>(),
                    characters = Array.Empty<object>(),
                    quests = Array.Empty<object>(),
                }
            )
        );
        var environment = JobCrashServer.Environment(backend);

        var (server, client) = await JobCrashServer.StartSignedInAsync(_dataDir, environment, "jobcrash");
        using var signedIn = client;
        _servers.Add(server);
        var setup = await AdventureTestData.CreateAsync(client);
        await AdventureTestData.TakeTurnAsync(client, setup.AdventureId, marker + " the clock strikes");

        // Kill the server while the job waits for the model's answer.
        await Poll.UntilAsync(
            () => backend.StructuredRequestsContaining(marker).Count == 1,
            "the state job never asked the model"
        );
        var job = Assert.Single(
            (await (await client.GetAsync($"/api/v1/jobs?adventureId={setup.AdventureId}")).JsonAsync())
                .GetProperty("items")
                .EnumerateArray(),
            j => j.Str("type") == "state.extract"
        );
        Assert.Equal("running", job.Str("state"));
        var (restarted, after) = await JobCrashServer.KillAndRerunAsync(
            server,
            _dataDir,
            environment,
            client,
            job.Id()
        );
        _servers.Add(restarted);
        try
        {
            Assert.Equal(2, backend.StructuredRequestsContaining(marker).Count);

            var state = await (await after.GetAsync($"/api/v1/adventures/{setup.AdventureId}/state")).JsonAsync();
            Assert.Equal("midnight", state.GetProperty("state").Str("timeOfDay"));
            var events = await (
                await after.GetAsync($"/api/v1/adventures/{setup.AdventureId}/events?limit=200")
            ).JsonAsync();
            Assert.Single(events.GetProperty("items").EnumerateArray(), e => e.Str("type") == "StateChanged");
        }
        finally
        {
            restarted.Kill(entireProcessTree: true);
            after.Dispose();
        }
    }

    [Fact]
    public async Task a_summary_job_cut_off_by_a_kill_runs_again_after_a_restart_and_writes_its_summary_once()
    {
        var backend = await ScriptedBackend.InstanceAsync();
        var marker = "crashsummary" + Guid.NewGuid().ToString("N")[..8];
        var environment = JobCrashServer.Environment(backend);
        // A small window, so a dozen turns overflow the transcript, and chunks of four turns to summarise.
        environment["Backends__scripted__ContextTokens"] = "1024";
        environment["Summaries__ChunkTurns"] = "4";

        var (server, client) = await JobCrashServer.StartSignedInAsync(_dataDir, environment, "summarycrash");
        using var signedIn = client;
        _servers.Add(server);
        var setup = await AdventureTestData.CreateAsync(client);
        // The scripted backend takes its pace from the first directives in the request's last message: any summary of
        // the first chunk holds this turn, so the model answers it two tokens, 2.5 s apart — long enough to be killed
        // in.
        await AdventureTestData.TakeTurnAsync(
            client,
            setup.AdventureId,
            $"I ring the harbour bell, {marker} " + $"{{{{tokens:2}}}} {{{{delay:2500}}}}"
        );
        for (var i = 0; i < 14 && SummaryRequests(backend, marker).Count == 0; i++)
        {
            Assert.Equal(
                "completed",
                (
                    await AdventureTestData.TakeTurnAsync(
                        client,
                        setup.AdventureId,
                        $"I walk the quay and count the gulls, round {i} {{{{tokens:20}}}}"
                    )
                ).Str("status")
            );
        }

        // Kill the server while the summary job waits for the model's answer.
        await Poll.UntilAsync(
            () => SummaryRequests(backend, marker).Count == 1,
            "no summary job asked the model " + "about the first turns"
        );
        var job = Assert.Single(
            (await (await client.GetAsync($"/api/v1/jobs?adventureId={setup.AdventureId}")).JsonAsync())
                .GetProperty("items")
                .EnumerateArray(),
            j => j.Str("type") == SummaryJob.JobType && j.Str("state") == "running"
        );
        var (restarted, after) = await JobCrashServer.KillAndRerunAsync(
            server,
            _dataDir,
            environment,
            client,
            job.Id()
        );
        _servers.Add(restarted);
        try
        {
            Assert.Equal(2, SummaryRequests(backend, marker).Count);
            // One summary job at a time per adventure, and none failed on a summary another had written.
            var summaryJobs = (
                await (await after.GetAsync($"/api/v1/jobs?adventureId={setup.AdventureId}")).JsonAsync()
            )
                .GetProperty("items")
                .EnumerateArray()
                .Where(j => j.Str("type") == SummaryJob.JobType)
                .ToArray();
            Assert.All(summaryJobs, j =>
                Assert.True(j.GetProperty("lastError").ValueKind == JsonValueKind.Null, j.GetRawText())
            );

            // Once the transcript is trimmed past the first turns (in blocks, ADR 41), the prompt carries their
            // summary, written once: the killed attempt left nothing behind.
            JsonElement[] pieces = [];
            for (var i = 0; i < 16 && !pieces.Any(p => p.GetProperty("fromTurn").GetInt32() <= 1); i++)
            {
                var next = await AdventureTestData.TakeTurnAsync(
                    after,
                    setup.AdventureId,
                    $"I look back at the harbour, glance {i}"
                );
                var context = await ContextAsync(after, setup.AdventureId, next.Id());
                pieces = [.. context.GetProperty("memory").GetProperty("summaries").EnumerateArray()];
            }
            var first = Assert.Single(pieces, p =>
                p.GetProperty("fromTurn").GetInt32() <= 1 && p.GetProperty("toTurn").GetInt32() >= 1
            );
            // Its layer depends on how far the transcript grew before the trim (it may lend itself the recall share,
            // ADR 41): by then the first chunks' summaries may already be merged into one of layer 1. Either way the
            // first turns are summarised once, in one piece of the prompt.
            Assert.InRange(first.GetProperty("layer").GetInt32(), 0, 1);
            var system = Content(
                backend.Requests.Last(r =>
                    Content(r["messages"]!.AsArray().Last()!)
                        .Contains("I look back at the harbour, glance", StringComparison.Ordinal)
                )["messages"]!.AsArray()[0]!
            );
            Assert.Contains("# The story so far", system, StringComparison.Ordinal);
            Assert.Single(
                System.Text.RegularExpressions.Regex.Matches(
                    system,
                    $"## Turns {first.GetProperty("fromTurn").GetInt32()}–"
                )
            );
        }
        finally
        {
            restarted.Kill(entireProcessTree: true);
            after.Dispose();
        }
    }

    /// <summary>Summary requests (the summariser's instructions as system message) that hold <paramref
    /// name="marker"/>.</summary>
    private static IReadOnlyList<JsonObject> SummaryRequests(ScriptedBackend backend, string marker) =>
        [
            .. backend
                .RequestsContaining(marker)
                .Where(r => Content(r["messages"]!.AsArray()[0]!) == SummaryJob.Instructions),
        ];

    public void Dispose()
    {
        foreach (var server in _servers.Where(s => !s.HasExited))
        {
            server.Kill(entireProcessTree: true);
        }
        if (Directory.Exists(_dataDir))
        {
            Directory.Delete(_dataDir, recursive: true);
        }
    }
}
