using System.Net.Http.Json;
using System.Text.Json;
using StoryEngine.Core.Jobs;
using StoryEngine.Core.Memory;
using StoryEngine.Tests.Api;
using StoryEngine.Tests.Infrastructure;
using static StoryEngine.Tests.Memory.MemoryTestData;

namespace StoryEngine.Tests.Memory;

/// <summary>Rolling summaries: written by background jobs with the utility backend once turns leave the prompt,
/// layered, and placed in the system prompt.</summary>
public abstract class SummaryTests(MemoryServer memory)
{
    [Fact]
    public async Task turns_cut_for_budget_are_summarised_in_layers_and_the_summary_sits_in_the_system_prompt()
    {
        using var client = await memory.Server.CreateUserClientAsync();
        var setup = await AdventureTestData.CreateAsync(client);
        await FillerTurnsAsync(client, setup.AdventureId, 24);
        const string Action = "I climb the lighthouse stairs";
        var last = await AdventureTestData.TakeTurnAsync(client, setup.AdventureId, Action);

        var summaries = await memory
            .Server.Services.GetRequiredService<IMemoryStore>()
            .ListSummariesAsync(setup.AdventureId, CancellationToken.None);
        Assert.Contains(summaries, s => s.Layer == 0);
        Assert.Contains(summaries, s => s.Layer == 1);
        Assert.Equal(0, summaries.Min(s => s.FromTurn)); // from the opening on, no gaps in the first layer
        var firstLayer = summaries.Where(s => s.Layer == 0).OrderBy(s => s.FromTurn).ToArray();
        Assert.All(firstLayer.Zip(firstLayer.Skip(1)), p => Assert.Equal(p.First.ToTurn + 1, p.Second.FromTurn));
        // Written by the utility backend from the turns' text (the scripted backend echoes the start of its
        // instruction).
        Assert.All(firstLayer, s =>
            Assert.StartsWith("Narration of 'Summarise turn", s.Text, StringComparison.Ordinal)
        );
        // Each summary was a model call in the user's usage ledger.
        var summaryUsage = BackgroundJobs.UsageFor(
            await (await client.GetAsync("/api/v1/me/usage")).JsonAsync(),
            Core.Usage.UsagePurposes.Summary
        );
        Assert.True(
            summaryUsage?.GetProperty("calls").GetInt64() >= summaries.Count,
            $"{summaries.Count} " + $"summaries, usage: {summaryUsage}"
        );
        Assert.True(summaryUsage?.GetProperty("completionTokens").GetInt64() > 0);

        var system = Content((await NarrationMessagesAsync(Action))[0]!);
        Assert.Contains("# The story so far", system, StringComparison.Ordinal);
        var context = await ContextAsync(client, setup.AdventureId, last.Id());
        var pieces = context.GetProperty("memory").GetProperty("summaries").EnumerateArray().ToArray();
        Assert.NotEmpty(pieces);
        Assert.Contains(pieces, p => p.GetProperty("layer").GetInt32() >= 1);
        foreach (var piece in pieces)
        {
            Assert.Contains(
                $"## Turns {piece.GetProperty("fromTurn").GetInt32()}–{piece.GetProperty("toTurn").GetInt32()}",
                system,
                StringComparison.Ordinal
            );
        }
        // Everything the summaries do not cover is still in the transcript: nothing falls between the two.
        var coveredTo = pieces.Max(p => p.GetProperty("toTurn").GetInt32());
        var transcript = context
            .GetProperty("sections")
            .EnumerateArray()
            .Single(s => s.Str("name") == "transcript")
            .Str("note");
        var firstKept = int.Parse(transcript.Split(' ', '–')[1], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(firstKept <= coveredTo + 1 + 4, $"transcript starts at {firstKept}, summaries end at {coveredTo}");
    }

    [Fact]
    public async Task system_prompt_changes_only_when_a_summary_is_written_or_the_transcript_is_trimmed()
    {
        using var client = await memory.Server.CreateUserClientAsync();
        var setup = await AdventureTestData.CreateAsync(client);
        var store = memory.Server.Services.GetRequiredService<IMemoryStore>();
        await FillerTurnsAsync(client, setup.AdventureId, 16);
        var previous = (System: "", Summaries: "", From: "");
        var stableTurns = 0;
        for (var i = 0; i < 8; i++)
        {
            var summariesBefore = string.Join(
                "|",
                (await store.ListSummariesAsync(setup.AdventureId, CancellationToken.None)).Select(s =>
                    $"{s.Layer}:{s.FromTurn}"
                )
            );
            var action = $"I wait by the beacon, hour {i}";
            var turn = await AdventureTestData.TakeTurnAsync(client, setup.AdventureId, action);
            var system = Content((await NarrationMessagesAsync(action))[0]!);
            // The slot shows the summaries of the turns before the transcript's first turn (issue 19): it may also
            // change when the transcript is trimmed, never between trims while no summary is written.
            var context = await ContextAsync(client, setup.AdventureId, turn.Id());
            var window = context.GetProperty("transcript").GetProperty("from").GetRawText();
            if (previous.Summaries == summariesBefore && previous.From == window && previous.System.Length > 0)
            {
                Assert.Equal(previous.System, system);
                stableTurns++;
            }
            previous = (system, summariesBefore, window);
        }
        Assert.True(stableTurns > 0, "no two turns in a row were prompted with the same summaries");
    }

    [Fact]
    public async Task summaries_read_again_after_a_write_replace_or_delete_show_the_new_rows_not_the_cached_ones()
    {
        // Each turn's summaries come from a cache checked against a stamp of the rows (issue 19): every kind of write
        // must show at the next read.
        using var client = await memory.Server.CreateUserClientAsync();
        var setup = await AdventureTestData.CreateAsync(client);
        var store = memory.Server.Services.GetRequiredService<IMemoryStore>();
        var id = setup.AdventureId;
        var now = DateTimeOffset.UtcNow;
        async Task<string[]> ReadAsync() =>
            [.. (await store.ListSummariesAsync(id, CancellationToken.None)).Select(s => $"{s.FromTurn}:{s.Text}")];
        async Task ReplaceAsync(StorySummary[] stale, StorySummary[] added)
        {
            var cursor = await store.GetSummaryCursorAsync(id, CancellationToken.None);
            var next = new SummaryCursor((cursor?.Sequence ?? 0) + 1, (cursor?.Version ?? 0) + 1);
            Assert.True(await store.ReplaceSummariesAsync(id, stale, added, cursor, next, CancellationToken.None));
        }
        StorySummary Piece(int from, string text) => new(id, 0, from, from + 1, text, "hash-" + text, now);

        Assert.Empty(await ReadAsync());
        Assert.Empty(await ReadAsync()); // cached as empty
        await ReplaceAsync([], [Piece(1, "The storm came.")]);
        Assert.Equal(["1:The storm came."], await ReadAsync());
        Assert.Equal(["1:The storm came."], await ReadAsync()); // from the cache
        // Replaced by a summary of the same range written in the same millisecond: same count, turns and times.
        await ReplaceAsync([Piece(1, "The storm came.")], [Piece(1, "The storm passed.")]);
        Assert.Equal(["1:The storm passed."], await ReadAsync());
        await ReplaceAsync([Piece(1, "The storm passed.")], []);
        Assert.Empty(await ReadAsync());
    }

    [Fact]
    public async Task backend_failure_during_a_summary_job_fails_the_job_writes_nothing_and_the_retry_completes_it()
    {
        using var client = await memory.Server.CreateUserClientAsync();
        var setup = await AdventureTestData.CreateAsync(client);
        var store = memory.Server.Services.GetRequiredService<IMemoryStore>();
        // The scripted backend answers HTTP 500 to any request whose last message holds {{fail}}: this turn's narration
        // fails, and so does every summary request that contains the turn.
        var poisoned = (
            await (
                await client.PostAsJsonAsync(
                    $"/api/v1/adventures/{setup.AdventureId}/turns",
                    new { kind = "do", text = "The storm breaks {{fail}}" }
                )
            ).JsonAsync(System.Net.HttpStatusCode.BadGateway)
        ).GetProperty("turn");
        Assert.Equal("failed", poisoned.Str("status"));
        await FillerTurnsAsync(client, setup.AdventureId, 16);

        var failures = memory
            .Queue.Runs.Where(r =>
                r.Request.Type == SummaryJob.JobType
                && r.Request.AdventureId == setup.AdventureId
                && r.Error is not null
            )
            .ToArray();
        Assert.NotEmpty(failures);
        var summaries = await store.ListSummariesAsync(setup.AdventureId, CancellationToken.None);
        // nothing half-written about the poisoned turn
        Assert.DoesNotContain(summaries, s => s.FromTurn <= 1 && s.ToTurn >= 1);
        Assert.All(summaries, s => Assert.DoesNotContain("{{fail}}", s.Text, StringComparison.Ordinal));

        // The queue retries the job; once the backend can answer, the retry writes the summary.
        (
            await client.PatchAsJsonAsync(
                $"/api/v1/adventures/{setup.AdventureId}/turns/{poisoned.Id()}",
                new { playerText = "The storm breaks" }
            )
        ).EnsureSuccessStatusCode();
        var job = failures[^1].Request;
        var handler = memory.Server.Services.GetServices<IJobHandler>().Single(h => h.Type == SummaryJob.JobType);
        await handler.HandleAsync(
            new JobContext("retry", job.Type, job.Payload, job.OwnerId, job.AdventureId, 2),
            CancellationToken.None
        );
        var through = JsonSerializer
            .Deserialize<SummaryJobPayload>(job.Payload, new JsonSerializerOptions(JsonSerializerDefaults.Web))!
            .ThroughTurn;
        summaries = await store.ListSummariesAsync(setup.AdventureId, CancellationToken.None);
        Assert.Contains(summaries, s => s.Layer == 0 && s.FromTurn <= 1 && s.ToTurn >= 1);
        Assert.True(summaries.Where(s => s.Layer == 0).Max(s => s.ToTurn) >= through);
    }
}

public sealed class SummaryTests_Sqlite(TextMemorySqliteServer memory)
    : SummaryTests(memory),
        IClassFixture<TextMemorySqliteServer>;

public sealed class SummaryTests_Postgres(TextMemoryPostgresServer memory)
    : SummaryTests(memory),
        IClassFixture<TextMemoryPostgresServer>;
