using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using StoryEngine.Bench.Harness;
using StoryEngine.Core.Adventures;
using StoryEngine.Core.Memory;
using StoryEngine.Core.Stories;
using StoryEngine.Storage;
using StoryEngine.Storage.Memory;
using StoryEngine.Storage.Migrations;
using StoryEngine.Storage.Postgres;
using StoryEngine.Storage.Sqlite;
using StoryEngine.Storage.Stories;

namespace StoryEngine.Bench.Memory;

/// <summary>
/// The memory benchmarks of issue 5, against the real stores and recall code (no HTTP): <c>recall</c> times one
/// recall over an adventure of N indexed turns; <c>recall-quality</c> plants facts in a generated adventure and
/// reports recall@5 for full text, vectors and the fusion. Vectors come from <see cref="LocalHashEmbedding"/>,
/// which is not a model (see there).
/// </summary>
internal static class MemoryBench
{
    /// <summary>The owner of the generated adventure (its embedding calls are not metered here: no usage
    /// meter).</summary>
    private const string Owner = "bench";

    public const string Usage = """
        usage: StoryEngine.Bench recall [--postgres CONNECTION] [--memories N] [--samples N]
               StoryEngine.Bench recall-quality [--postgres CONNECTION] [--turns N] [--facts N]
        """;

    private const int Dimensions = 384;
    private const string EmbeddingModel = "local-hash-384 (not a model)";

    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        string? postgres = null;
        int memories = 10_000,
            samples = 500,
            turns = 2_000,
            facts = 200;
        for (var i = 1; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--postgres" when value is not null:
                    postgres = value;
                    i++;
                    break;
                case "--memories"
                    when int.TryParse(value, CultureInfo.InvariantCulture, out var m) && m is > 0 and <= 200_000:
                    memories = m;
                    i++;
                    break;
                case "--samples"
                    when int.TryParse(value, CultureInfo.InvariantCulture, out var s) && s is > 0 and <= 100_000:
                    samples = s;
                    i++;
                    break;
                case "--turns"
                    when int.TryParse(value, CultureInfo.InvariantCulture, out var t) && t is > 10 and <= 200_000:
                    turns = t;
                    i++;
                    break;
                case "--facts" when int.TryParse(value, CultureInfo.InvariantCulture, out var f) && f is > 0 and <= 216:
                    facts = f;
                    i++;
                    break;
                default:
                    await Console.Error.WriteLineAsync(Usage);
                    return 2;
            }
        }
        await using var database = await BenchDatabase.CreateAsync(postgres);
        IStorageProvider provider = database.ConnectionString is null
            ? new SqliteStorageProvider(database.SqlitePath)
            : new PostgresStorageProvider(database.ConnectionString);
        await provider.PrepareAsync(CancellationToken.None);
        await new MigrationRunner(provider).UpAsync(dryRun: false, CancellationToken.None);
        var bench = new Setup(provider);
        if (args[0] == "recall")
        {
            await RecallLatencyAsync(bench, database, memories, samples, output);
        }
        else
        {
            await RecallQualityAsync(bench, database, turns, facts, output);
        }
        return 0;
    }

    private static async Task RecallLatencyAsync(
        Setup bench,
        BenchDatabase database,
        int memories,
        int samples,
        TextWriter output
    )
    {
        var story = new GeneratedStory(memories, facts: 200, seed: 7);
        var adventureId = await bench.WriteAsync(story);
        var indexing = Stopwatch.StartNew();
        await bench.Indexer(bench.Embeddings).SyncAsync(adventureId, Owner, withVectors: true, CancellationToken.None);
        indexing.Stop();
        await database.AnalyzeAsync();

        var questions = story.Questions.Select(q => q.Text).ToArray();
        var actions = story
            .Turns.Where(t => t.Action.Contains(" and ask about ", StringComparison.Ordinal))
            .Take(200)
            .Select(t => t.Action)
            .ToArray();
        var count = memories.ToString("N0", CultureInfo.InvariantCulture);
        var rows = new List<string[]>();
        foreach (
            var (label, embeddings, queries) in new[]
            {
                ("full text only, questions", MemoryEmbeddings.None, questions),
                ("fused, questions", bench.Embeddings, questions),
                ("full text only, long actions", MemoryEmbeddings.None, actions),
                ("fused, long actions", bench.Embeddings, actions),
            }
        )
        {
            var recall = bench.Recall(embeddings);
            // Warm-up: one pass over the queries, as a running server has had (its code at the JIT's final tier, which
            // 20 calls did not reach; the vector cache loaded; each word counted once). A miss of the word counts is
            // timed below.
            foreach (var warmUp in queries)
            {
                await recall.RecallAsync(adventureId, Owner, int.MaxValue, warmUp, [], CancellationToken.None);
            }
            var timed = await SampleAsync(samples, i =>
                recall.RecallAsync(
                    adventureId,
                    Owner,
                    int.MaxValue,
                    queries[i % queries.Length],
                    [],
                    CancellationToken.None
                )
            );
            rows.Add([label, count, samples.ToString(CultureInfo.InvariantCulture), .. timed.Cells(), "≤ 5 ms"]);
        }

        var generation = await bench.Store.GetGenerationAsync(adventureId, CancellationToken.None);
        foreach (
            var (label, queries) in new[]
            {
                ("full-text query alone, questions", questions),
                ("full-text query alone, long actions", actions),
            }
        )
        {
            var terms = queries.Select(MemoryText.Terms).ToArray();
            var timed = await SampleAsync(samples, i =>
                bench.TextSearch.SearchAsync(adventureId, terms[i % terms.Length], CancellationToken.None)
            );
            rows.Add([label, count, samples.ToString(CultureInfo.InvariantCulture), .. timed.Cells(), "–"]);
        }

        // What a recall pays once per word it has not seen in this adventure (or after TermFrequencies.MaxStaleWrites
        // index
        // writes): counting every word of the query, as a query of all-new words does.
        foreach (
            var (label, queries) in new[]
            {
                ("counting a query's words (word-count cache miss), " + "questions", questions),
                ("counting a query's words (word-count cache miss), long actions", actions),
            }
        )
        {
            var terms = queries.Select(MemoryText.Terms).ToArray();
            var timed = await SampleAsync(samples, i =>
                bench.Store.CountTermsAsync(
                    adventureId,
                    terms[i % terms.Length],
                    TermSelection.CountLimit(bench.Options.RankedMatches),
                    CancellationToken.None
                )
            );
            rows.Add([label, count, samples.ToString(CultureInfo.InvariantCulture), .. timed.Cells(), "–"]);
        }

        // The similarity scan alone, on the cached partition: what grows with the adventure.
        var partition = await bench.Partitions.GetAsync(
            adventureId,
            EmbeddingModel,
            generation,
            CancellationToken.None
        );
        var query = VectorMath.Normalized(bench.Local.Embed(questions[0]));
        var scan = await SampleAsync(samples, _ =>
            Task.FromResult(VectorMath.Nearest(partition.Matrix, partition.Dimensions, query, 30))
        );
        rows.Add([
            $"exact vector scan only ({Dimensions} dims, " + "TensorPrimitives.Dot)",
            count,
            samples.ToString(CultureInfo.InvariantCulture),
            .. scan.Cells(),
            "–",
        ]);

        await output.WriteLineAsync($"### Recall latency ({database.Engine})");
        await output.WriteLineAsync();
        await output.WriteLineAsync(
            $"Indexing {memories:N0} turns (text and {Dimensions}-dimension vectors, one "
                + $"transaction): {indexing.Elapsed.TotalSeconds:0.0} s. Queries, round robin: 'questions' are the "
                + "200 planted-fact questions (Where did I put the brass key?); 'long actions' are 200 filler "
                + "actions (I walk with Maren to the chapel and ask about the jade flute), whose common words "
                + "match most "
                + $"of the adventure. Vectors: {EmbeddingModel}."
        );
        await output.WriteLineAsync();
        await output.WriteLineAsync(
            "Wall time is what the caller waited; CPU time is the calling thread's own "
                + "processor time (CLOCK_THREAD_CPUTIME_ID), which leaves out the wait for a core on a loaded "
                + "machine. CPU time is shown only where every sample ran on one thread (SQLite's calls complete "
                + "synchronously; Npgsql's continue on other threads)."
        );
        await output.WriteLineAsync();
        var table = new MarkdownTable(
            "recall",
            "memories",
            "samples",
            "p50",
            "p95",
            "p99",
            "cpu p50",
            "cpu p95",
            "cpu p99",
            "target"
        );
        rows.ForEach(r => table.Add(r));
        table.WriteTo(output);
    }

    private static async Task RecallQualityAsync(
        Setup bench,
        BenchDatabase database,
        int turns,
        int facts,
        TextWriter output
    )
    {
        var story = new GeneratedStory(turns, facts, seed: 11);
        var adventureId = await bench.WriteAsync(story);
        await bench.Indexer(bench.Embeddings).SyncAsync(adventureId, Owner, withVectors: true, CancellationToken.None);
        await database.AnalyzeAsync();

        var textOnly = bench.Recall(MemoryEmbeddings.None);
        var fused = bench.Recall(bench.Embeddings);
        var partition = await bench.Partitions.GetAsync(
            adventureId,
            EmbeddingModel,
            await bench.Store.GetGenerationAsync(adventureId, CancellationToken.None),
            CancellationToken.None
        );
        int textHits = 0,
            vectorHits = 0,
            fusedHits = 0;
        foreach (var question in story.Questions)
        {
            var text = await textOnly.RecallAsync(
                adventureId,
                Owner,
                int.MaxValue,
                question.Text,
                [],
                CancellationToken.None
            );
            textHits += text.Candidates.Take(5).Any(c => c.Turn.Number == question.FactTurn) ? 1 : 0;
            var both = await fused.RecallAsync(
                adventureId,
                Owner,
                int.MaxValue,
                question.Text,
                [],
                CancellationToken.None
            );
            fusedHits += both.Candidates.Take(5).Any(c => c.Turn.Number == question.FactTurn) ? 1 : 0;
            var nearest = VectorMath.Nearest(
                partition.Matrix,
                partition.Dimensions,
                VectorMath.Normalized(bench.Local.Embed(question.Text)),
                5
            );
            vectorHits += nearest.Any(n => partition.Numbers[n.Row] == question.FactTurn) ? 1 : 0;
        }
        var n = story.Questions.Count;
        await output.WriteLineAsync($"### Recall quality ({database.Engine})");
        await output.WriteLineAsync();
        await output.WriteLineAsync(
            $"A generated adventure of {turns:N0} turns with {n} planted facts (an object "
                + "put somewhere, once each; every object is also mentioned in unrelated turns), one question per "
                + "fact (\"Where did I put the …?\", worded differently from the fact). recall@5: the fact's turn "
                + $"is among the first five recalled. Vectors: {EmbeddingModel} — a lexical stand-in, "
                + "so the vector and "
                + "fused rows measure the pipeline, not a semantic model."
        );
        await output.WriteLineAsync();
        var table = new MarkdownTable("ranking", "questions", "recall@5");
        table.Add("full text (BM25 / ts_rank)", n.ToString(CultureInfo.InvariantCulture), Rate(textHits, n));
        table.Add("vectors (exact cosine)", n.ToString(CultureInfo.InvariantCulture), Rate(vectorHits, n));
        table.Add(
            "fused (reciprocal rank fusion, k = " + "60)",
            n.ToString(CultureInfo.InvariantCulture),
            Rate(fusedHits, n)
        );
        table.WriteTo(output);
    }

    private static string Ms(double value) => value.ToString("0.00", CultureInfo.InvariantCulture) + " ms";

    /// <summary>Runs <paramref name="call"/> <paramref name="samples"/> times, timing each by the wall clock and by the
    /// thread's CPU clock.</summary>
    private static async Task<Timed> SampleAsync<T>(int samples, Func<int, Task<T>> call)
    {
        var wall = new List<double>(samples);
        var cpu = new List<double>(samples);
        var sameThread = ThreadCpuClock.Available;
        for (var i = 0; i < samples; i++)
        {
            var thread = Environment.CurrentManagedThreadId;
            var startedCpu = ThreadCpuClock.Now();
            var started = Stopwatch.GetTimestamp();
            GC.KeepAlive(await call(i));
            wall.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            cpu.Add(ThreadCpuClock.MsSince(startedCpu));
            // A continuation on another thread makes the CPU reading meaningless: that row gets no CPU figures.
            sameThread &= thread == Environment.CurrentManagedThreadId;
        }
        return new Timed(new Percentiles(wall), sameThread ? new Percentiles(cpu) : null);
    }

    private sealed record Timed(Percentiles Wall, Percentiles? Cpu)
    {
        public string[] Cells() =>
            [
                Ms(Wall.P50),
                Ms(Wall.P95),
                Ms(Wall.P99),
                Cpu is null ? "–" : Ms(Cpu.P50),
                Cpu is null ? "–" : Ms(Cpu.P95),
                Cpu is null ? "–" : Ms(Cpu.P99),
            ];
    }

    private static string Rate(int hits, int total) => $"{hits * 100.0 / total:0.0}% ({hits}/{total})";

    /// <summary>The real stores and recall over one benchmark database.</summary>
    internal sealed class Setup(IStorageProvider provider)
    {
        public StoryLog Log { get; } = new(provider);

        public MemoryStore Store { get; } = new(provider);

        public LocalHashEmbedding Local { get; } = new(Dimensions);

        public MemoryEmbeddings Embeddings => new(Local, EmbeddingModel, usage: null, batchSize: 256);

        public MemoryOptions Options { get; } = new();

        public VectorPartitions Partitions => _partitions ??= new VectorPartitions(Store, Options, TimeProvider.System);

        private VectorPartitions? _partitions;

        public MemoryTextSearch TextSearch =>
            _textSearch ??= new MemoryTextSearch(
                Store,
                new TermFrequencies(Store, Options, TimeProvider.System),
                Options
            );

        private MemoryTextSearch? _textSearch;

        public MemoryIndexJob Indexer(MemoryEmbeddings embeddings) => new(Log, Store, embeddings);

        public MemoryRecall Recall(MemoryEmbeddings embeddings) =>
            new(
                Store,
                embeddings,
                TextSearch,
                Partitions,
                Indexer(embeddings),
                Options,
                NullLogger<MemoryRecall>.Instance
            );

        /// <summary>Writes the story as a real story log (action taken, narration completed per turn) and returns the
        /// adventure id.</summary>
        public async Task<string> WriteAsync(GeneratedStory story)
        {
            var id = Guid.NewGuid().ToString("N");
            var at = DateTimeOffset.UtcNow;
            var events = new List<StoryEvent>();
            foreach (var turn in story.Turns)
            {
                var turnId = $"t{turn.Number:D6}";
                events.Add(
                    StoryEvent.Create(
                        id,
                        events.Count + 1,
                        new ActionTaken(turnId, turn.Number, "do", turn.Action),
                        "bench",
                        at
                    )
                );
                events.Add(
                    StoryEvent.Create(
                        id,
                        events.Count + 1,
                        new NarrationCompleted(
                            turnId,
                            0,
                            turn.Narration,
                            "bench",
                            "bench",
                            new TokenUsage(null, null),
                            new NarrationTimings(null, 0)
                        ),
                        "bench",
                        at
                    )
                );
            }
            var adventure = new Adventure(
                id,
                "bench",
                "world",
                "Recall benchmark",
                null,
                [],
                null,
                null,
                null,
                events.Count,
                story.Turns.Count,
                at,
                at
            );
            await Log.CreateAsync(adventure, events, StoryProjection.Replay(events), CancellationToken.None);
            return id;
        }
    }
}
