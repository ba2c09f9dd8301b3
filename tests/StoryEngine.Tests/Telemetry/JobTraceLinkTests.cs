using StoryEngine.Core.Jobs;
using StoryEngine.Tests.Api;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Telemetry;

/// <summary>
/// A job's span links to the turn that queued it even when another process runs it: the turn's traceparent is
/// stored with the job (jobs.trace_parent), not kept in the memory of the process that queued it (issue 16).
/// </summary>
public sealed class JobTraceLinkTests : IDisposable
{
    private readonly string _dataDir = Path.Combine(
        Path.GetTempPath(),
        "storyengine-tests",
        "joblink-" + Guid.NewGuid().ToString("N")
    );

    [Fact]
    public async Task a_job_run_by_a_restarted_server_links_to_the_turn_that_queued_it()
    {
        await using var receiver = await OtlpReceiver.StartAsync();
        string adventureId;
        string turnTrace;
        // The first server takes the turn and runs no jobs: the turn's follow-up jobs wait in the queue.
        var first = Server(receiver, jobs: false);
        await first.InitializeAsync();
        try
        {
            using var client = await first.CreateUserClientAsync();
            adventureId = (await AdventureTestData.CreateAsync(client)).AdventureId;
            await AdventureTestData.TakeTurnAsync(client, adventureId, "I ring the bell.");
            turnTrace = (
                await Poll.UntilAsync(
                    () => Task.FromResult(receiver.Spans),
                    s => s.Any(x => IsNarrationOf(x, adventureId)),
                    s => "spans so far: " + string.Join(", ", s.Select(x => x.Name).Distinct())
                )
            )
                .First(x => IsNarrationOf(x, adventureId))
                .TraceId;
            var waiting = await first
                .Services.GetRequiredService<IJobStore>()
                .ListAsync(new JobListQuery(null, adventureId, null, 100, null), CancellationToken.None);
            Assert.True(
                waiting.Any(j => j.Type == "memory.index" && j.State == JobStates.Queued && j.TraceParent is not null),
                "queued on the first server: "
                    + string.Join("; ", waiting.Select(j => $"{j.Id} {j.Type} {j.State} {j.TraceParent}"))
            );
        }
        finally
        {
            await first.DisposeAsync();
        }

        // A new server on the same database runs them; nothing of the first process's memory is left to link with.
        var second = Server(receiver, jobs: true);
        await second.InitializeAsync();
        try
        {
            var queued = await second
                .Services.GetRequiredService<IJobStore>()
                .ListAsync(new JobListQuery(null, adventureId, null, 100, null), CancellationToken.None);
            var index = queued.First(j => j.Type == "memory.index");
            Assert.True(
                index.TraceParent?.Split('-')[1] == turnTrace,
                $"the turn's trace is {turnTrace}; the queue holds "
                    + string.Join("; ", queued.Select(j => $"{j.Id} {j.Type} {j.State} {j.TraceParent}"))
            );

            var spans = await Poll.UntilAsync(
                () => Task.FromResult(receiver.Spans),
                s => s.Any(x => x.Name == "job memory.index" && x.LinkedTraceIds.Contains(turnTrace)),
                s =>
                    "spans so far: "
                    + string.Join(", ", s.Select(x => x.Name + "→" + string.Join("/", x.LinkedTraceIds)))
            );
            var job = spans.First(s => s.Name == "job memory.index" && s.LinkedTraceIds.Contains(turnTrace));
            Assert.NotEqual(turnTrace, job.TraceId);
            Assert.Equal(index.Id, job.Attributes["job.id"]);
        }
        finally
        {
            await second.DisposeAsync();
        }
    }

    private static bool IsNarrationOf(OtlpSpan span, string adventureId) =>
        span.Name == "narration" && span.Attributes.GetValueOrDefault("storyengine.adventure.id") == adventureId;

    private SqliteServerFixture Server(OtlpReceiver receiver, bool jobs)
    {
        var server = new SqliteServerFixture();
        server.ExtraSettings["DataDir"] = _dataDir;
        server.ExtraSettings["Jobs:Enabled"] = jobs ? "true" : "false";
        server.ExtraSettings["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.Endpoint.ToString().TrimEnd('/');
        server.ExtraSettings["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
        server.ExtraSettings["OTEL_BSP_SCHEDULE_DELAY"] = "100";
        return server;
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(_dataDir))
        {
            Directory.Delete(_dataDir, recursive: true);
        }
    }
}
