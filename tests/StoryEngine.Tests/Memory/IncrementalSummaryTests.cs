using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using StoryEngine.Core.Jobs;
using StoryEngine.Core.Memory;
using StoryEngine.Core.Narration;
using StoryEngine.Core.Stories;

namespace StoryEngine.Tests.Memory;

/// <summary>
/// The summary job's stale check from the summaries' cursor (ADR 30): after every job no stale summary is left and
/// every remembered turn up to ThroughTurn is covered, as after a check of the whole transcript; a job reads only the
/// log's tail and the turns under the summaries it touched; a job overtaken by another writes nothing over it and plans
/// again.
/// </summary>
public abstract class IncrementalSummaryTests(MemoryServer memory)
{
    private static readonly CancellationToken None = CancellationToken.None;
    private const int ChunkTurns = 4;

    private IServiceProvider Services => memory.Server.Services;

    private IMemoryStore Store => Services.GetRequiredService<IMemoryStore>();

    private SummaryJob Job(EchoUtility utility, IStoryLog? log = null, IMemoryStore? store = null) =>
        new(
            log ?? Services.GetRequiredService<IStoryLog>(),
            store ?? Store,
            utility,
            new SummaryOptions { ChunkTurns = ChunkTurns, FanIn = 2 },
            TimeProvider.System,
            Services.GetRequiredService<Core.Usage.UsageMeter>()
        );

    private static Task RunAsync(SummaryJob job, string adventureId, int throughTurn) =>
        job.HandleAsync(
            new JobContext(
                "job",
                SummaryJob.JobType,
                $"{{\"throughTurn\":{throughTurn.ToString(CultureInfo.InvariantCulture)}}}",
                IndexPlay.Owner,
                adventureId,
                1
            ),
            None
        );

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task after_each_job_no_summary_is_stale_and_every_turn_is_covered_through_edits_undos_and_retries(
        int seed
    )
    {
        var random = new Random(seed);
        var play = new IndexPlay(Services, random);
        var utility = new EchoUtility();
        var job = Job(utility);
        var adventureId = await play.CreateAsync(seededTurns: 12);
        for (var round = 0; round < 30; round++)
        {
            await play.PlayAsync(adventureId, random.Next(1, 6));
            var newest = (await play.Log.ListTurnsAsync(adventureId, null, 1, includeUndone: true, None))[0].Number;
            var through = Math.Max(0, newest - random.Next(0, 6));
            await RunAsync(job, adventureId, through);
            await AssertSettledAsync(play, adventureId, through, firstLayerOnly: true);
            // A first-layer summary written inside an older parent's range (its turn was streaming when the parent was
            // written) leaves that parent for the next job to rewrite, as the job always did.
            await RunAsync(job, adventureId, through);
            await AssertSettledAsync(play, adventureId, through);
        }

        // A check of everything (the cursor taken away) finds nothing more to do.
        var summaries = await Store.ListSummariesAsync(adventureId, None);
        await play.SetSummaryCursorAsync(adventureId, null);
        var calls = utility.Calls;
        await RunAsync(job, adventureId, 0);
        Assert.Equal(summaries, await Store.ListSummariesAsync(adventureId, None));
        Assert.Equal(calls, utility.Calls);
    }

    [Fact]
    public async Task a_job_after_an_edit_rewrites_only_the_summary_over_the_edit_and_its_parents()
    {
        var play = new IndexPlay(Services, new Random(7));
        var adventureId = await play.CreateAsync(seededTurns: 400);
        var utility = new EchoUtility();
        var (log, logCalls) = Intercepted<IStoryLog>.Wrap(play.Log);
        var job = Job(utility, log);
        await RunAsync(job, adventureId, 395);
        var before = await Store.ListSummariesAsync(adventureId, None);
        var cursor = await Store.GetSummaryCursorAsync(adventureId, None);
        Assert.Equal(801, cursor?.Sequence);
        logCalls.Calls.Clear();

        await play.TakeTurnAsync(adventureId);
        await play.AppendAsync(
            adventureId,
            new TurnEdited("s7-" + adventureId, null, "The heron keeps the amber ring.")
        );
        await RunAsync(job, adventureId, 397);

        Assert.Empty(logCalls.CallsTo(nameof(IStoryLog.GetLastSequenceAsync)));
        Assert.Equal(801L, Assert.Single(logCalls.CallsTo(nameof(IStoryLog.ReadAsync)))[1]);
        // Turns 4–7 (the summary over the edit) and 396–397 (not summarised yet), each a read of at most the range.
        Assert.All(logCalls.CallsTo(nameof(IStoryLog.ListTurnsAsync)), a =>
            Assert.True((int)a[2]! <= ChunkTurns, $"a read of {a[2]} turns")
        );
        var after = await Store.ListSummariesAsync(adventureId, None);
        Assert.Equal(
            before.Where(s => s.ToTurn < 4 || s.FromTurn > 7),
            after.Where(s => (s.ToTurn < 4 || s.FromTurn > 7) && s.ToTurn <= 395)
        );
        Assert.DoesNotContain(before.Where(s => s.FromTurn <= 7 && s.ToTurn >= 4), after.Contains);
        await AssertSettledAsync(play, adventureId, 397);
    }

    [Fact]
    public async Task a_job_overtaken_by_another_writes_nothing_over_it_and_plans_again_from_what_is_stored()
    {
        var play = new IndexPlay(Services, new Random(9));
        var adventureId = await play.CreateAsync(seededTurns: 20);
        var utility = new EchoUtility();
        await RunAsync(Job(utility), adventureId, 10);
        await play.PlayAsync(adventureId, 10);
        var (store, calls) = Intercepted<IMemoryStore>.Wrap(Store);
        var overtaken = false;
        calls.Before = (method, arguments) =>
        {
            if (
                method.Name != nameof(IMemoryStore.ReplaceSummariesAsync)
                || arguments.Length != 6
                || ((IReadOnlyList<StorySummary>)arguments[2]!).Count == 0
                || overtaken
            )
            {
                return null;
            }
            overtaken = true;
            return OvertakeAsync(method, arguments);
        };

        await RunAsync(Job(utility, store: store), adventureId, 18);

        Assert.True(overtaken);
        // planned again from the other job's summaries
        Assert.Equal(2, calls.CallsTo(nameof(IMemoryStore.GetSummaryCursorAsync)).Count());
        await AssertSettledAsync(play, adventureId, 18, firstLayerOnly: true);
        await RunAsync(Job(utility), adventureId, 18);
        await AssertSettledAsync(play, adventureId, 18);

        // While the first job waited for its model, an edit came in and another job settled the summaries.
        async Task<bool> OvertakeAsync(System.Reflection.MethodInfo method, object?[] arguments)
        {
            await play.AppendAsync(adventureId, new TurnEdited("s12-" + adventureId, null, "The tide took the oar."));
            await RunAsync(Job(utility), adventureId, 14);
            var written = await (Task<bool>)method.Invoke(Store, arguments)!;
            Assert.False(written);
            return written;
        }
    }

    [Fact]
    public async Task a_job_whose_model_fails_halfway_keeps_what_it_wrote_and_the_next_job_finishes()
    {
        var play = new IndexPlay(Services, new Random(13));
        var adventureId = await play.CreateAsync(seededTurns: 30);
        var utility = new EchoUtility { FailAfter = 3 };
        await Assert.ThrowsAsync<HttpRequestException>(() => RunAsync(Job(utility), adventureId, 28));
        Assert.Equal(3, (await Store.ListSummariesAsync(adventureId, None)).Count);
        await play.PlayAsync(adventureId, 10);

        utility.FailAfter = null;
        await RunAsync(Job(utility), adventureId, 28);
        await AssertSettledAsync(play, adventureId, 28);
    }

    [Fact]
    public async Task a_job_whose_model_is_down_reads_the_first_turns_to_summarise_not_the_whole_uncovered_history()
    {
        var play = new IndexPlay(Services, new Random(17));
        var adventureId = await play.CreateAsync(seededTurns: 400);
        var (log, calls) = Intercepted<IStoryLog>.Wrap(play.Log);

        await Assert.ThrowsAsync<HttpRequestException>(() =>
            RunAsync(Job(new EchoUtility { FailAfter = 0 }, log), adventureId, 395)
        );

        Assert.Equal(ChunkTurns * 4, calls.CallsTo(nameof(IStoryLog.ListTurnsAsync)).Sum(a => (int)a[2]!));
    }

    /// <summary>What a job checking the whole transcript leaves: nothing stale, every remembered turn up to <paramref
    /// name="through"/> under a first-layer summary.</summary>
    private async Task AssertSettledAsync(IndexPlay play, string adventureId, int through, bool firstLayerOnly = false)
    {
        var summaries = await Store.ListSummariesAsync(adventureId, None);
        var live = (await StoryTail.TurnsAsync(play.Log, adventureId, 0, null, None))
            .Where(MemoryIndexJob.Remembered)
            .ToArray();
        Assert.DoesNotContain(SummaryPlan.Stale(summaries, live), s => !firstLayerOnly || s.Layer == 0);
        Assert.Empty(SummaryPlan.UncoveredChunks(summaries, live, through, ChunkTurns));
    }

    /// <summary>A utility model that answers at once with a line naming what it summarised; <see cref="FailAfter"/>
    /// calls, then it throws.</summary>
    private sealed class EchoUtility : IUtilityModel, IChatClient
    {
        public int Calls { get; private set; }

        public int? FailAfter { get; set; }

        public IChatClient Client => this;

        public Task<ChatResponse> GetResponseAsync(
            IEnumerable<ChatMessage> messages,
            ChatOptions? options = null,
            CancellationToken cancellationToken = default
        ) => Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, Answer(messages))));

        public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
            IEnumerable<ChatMessage> messages,
            ChatOptions? options = null,
            [EnumeratorCancellation] CancellationToken cancellationToken = default
        )
        {
            await Task.Yield();
            yield return new ChatResponseUpdate(ChatRole.Assistant, Answer(messages));
        }

        private string Answer(IEnumerable<ChatMessage> messages)
        {
            if (FailAfter is { } limit && Calls >= limit)
            {
                throw new HttpRequestException("The utility backend is down.");
            }
            Calls++;
            return "Summary: " + messages.Last().Text.Split('\n')[0];
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose() { }
    }
}

public sealed class IncrementalSummaryTests_Sqlite(TextMemorySqliteServer memory)
    : IncrementalSummaryTests(memory),
        IClassFixture<TextMemorySqliteServer>;

public sealed class IncrementalSummaryTests_Postgres(TextMemoryPostgresServer memory)
    : IncrementalSummaryTests(memory),
        IClassFixture<TextMemoryPostgresServer>;
