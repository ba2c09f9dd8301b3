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
    /// <summary>The owner of the generated adventure (its embedding calls are not metered here: no usage meter).</summary>
    private const string Owner = "bench";

    public const string Usage =
        """
        usage: StoryEngine.Bench recall [--postgres CONNECTION] [--memories N] [--samples N]
               StoryEngine.Bench recall-quality [--postgres CONNECTION] [--turns N] [--facts N]
        """;

    private const int Dimensions = 384;
    private const string EmbeddingModel = "local-hash-384 (not a model)";

    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        string? postgres = null;
        int memories = 10_000, samples = 500, turns = 2_000, facts = 200;
        for (var i = 1; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--postgres" when value is not null: postgres = value; i++; break;
                case "--memories" when int.TryParse(value, CultureInfo.InvariantCulture, out var m) && m is > 0 and <= 200_000: memories = m; i++; break;
                case "--samples" when int.TryParse(value, CultureInfo.InvariantCulture, out var s) && s is > 0 and <= 100_000: samples = s; i++; break;
                case "--turns" when int.TryParse(value, CultureInfo.InvariantCulture, out var t) && t is > 10 and <= 200_000: turns = t; i++; break;
                case "--facts" when int.TryParse(value, CultureInfo.InvariantCulture, out var f) && f is > 0 and <= 216: facts = f; i++; break;
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

    private static async Task RecallLatencyAsync(Setup bench, BenchDatabase database, int memories, int samples, TextWriter output)
    {
        var story = new GeneratedStory(memories, facts: 200, seed: 7);
        var adventureId = await bench.WriteAsync(story);
        var indexing = Stopwatch.StartNew();
        await bench.Indexer(bench.Embeddings).SyncAsync(adventureId, Owner, withVectors: true, CancellationToken.None);
        indexing.Stop();
        await database.AnalyzeAsync();

        var questions = story.Questions.Select(q => q.Text).ToArray();
        var actions = story.Turns.Where(t => t.Action.Contains(" and ask about ", StringComparison.Ordinal)).Take(200).Select(t => t.Action).ToArray();
        var rows = new List<string[]>();
        foreach (var (label, embeddings, queries) in new[]
                 {
                     ("full text only, questions", MemoryEmbeddings.None, questions),
                     ("fused, questions", bench.Embeddings, questions),
                     ("full text only, long actions", MemoryEmbeddings.None, actions),
                     ("fused, long actions", bench.Embeddings, actions),
                 })
        {
            var recall = bench.Recall(embeddings);
            for (var i = 0; i < 20; i++)
            {
                await recall.RecallAsync(adventureId, Owner, int.MaxValue, queries[i % queries.Length], [], CancellationToken.None); // warm-up, and loads the vector cache
            }
            var times = new List<double>(samples);
            for (var i = 0; i < samples; i++)
            {
                var started = Stopwatch.GetTimestamp();
                var result = await recall.RecallAsync(adventureId, Owner, int.MaxValue, queries[i % queries.Length], [], CancellationToken.None);
                times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                GC.KeepAlive(result);
            }
            var p = new Percentiles(times);
            rows.Add([label, memories.ToString("N0", CultureInfo.InvariantCulture), samples.ToString(CultureInfo.InvariantCulture), Ms(p.P50), Ms(p.P95), Ms(p.P99), "≤ 5 ms"]);
        }

        foreach (var (label, queries) in new[] { ("full-text query alone, questions", questions), ("full-text query alone, long actions", actions) })
        {
            var times = new List<double>(samples);
            for (var i = 0; i < samples; i++)
            {
                var terms = MemoryText.Terms(queries[i % queries.Length]);
                var started = Stopwatch.GetTimestamp();
                GC.KeepAlive(await bench.Store.SearchTextAsync(adventureId, terms, 30, CancellationToken.None));
                times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
            var p = new Percentiles(times);
            rows.Add([label, memories.ToString("N0", CultureInfo.InvariantCulture), samples.ToString(CultureInfo.InvariantCulture), Ms(p.P50), Ms(p.P95), Ms(p.P99), "–"]);
        }

        // The similarity scan alone, on the cached partition: what grows with the adventure.
        var partition = await bench.Partitions.GetAsync(adventureId, EmbeddingModel, CancellationToken.None);
        var query = VectorMath.Normalized(bench.Local.Embed(questions[0]));
        var scan = new List<double>(samples);
        for (var i = 0; i < samples; i++)
        {
            var started = Stopwatch.GetTimestamp();
            GC.KeepAlive(VectorMath.Nearest(partition.Matrix, partition.Dimensions, query, 30));
            scan.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        var s = new Percentiles(scan);
        rows.Add([$"exact vector scan only ({Dimensions} dims, TensorPrimitives.Dot)", memories.ToString("N0", CultureInfo.InvariantCulture), samples.ToString(CultureInfo.InvariantCulture), Ms(s.P50), Ms(s.P95), Ms(s.P99), "–"]);

        await output.WriteLineAsync($"### Recall latency ({database.Engine})");
        await output.WriteLineAsync();
        await output.WriteLineAsync($"Indexing {memories:N0} turns (text and {Dimensions}-dimension vectors, one transaction): {indexing.Elapsed.TotalSeconds:0.0} s. Queries, round robin: 'questions' are the 200 planted-fact questions (Where did I put the brass key?); 'long actions' are 200 filler actions (I walk with Maren to the chapel and ask about the jade flute), whose common words match most of the adventure. Vectors: {EmbeddingModel}.");
        await output.WriteLineAsync();
        var table = new MarkdownTable("recall", "memories", "samples", "p50", "p95", "p99", "target");
        rows.ForEach(r => table.Add(r));
        table.WriteTo(output);
    }

    private static async Task RecallQualityAsync(Setup bench, BenchDatabase database, int turns, int facts, TextWriter output)
    {
        var story = new GeneratedStory(turns, facts, seed: 11);
        var adventureId = await bench.WriteAsync(story);
        await bench.Indexer(bench.Embeddings).SyncAsync(adventureId, Owner, withVectors: true, CancellationToken.None);
        await database.AnalyzeAsync();

        var textOnly = bench.Recall(MemoryEmbeddings.None);
        var fused = bench.Recall(bench.Embeddings);
        var partition = await bench.Partitions.GetAsync(adventureId, EmbeddingModel, CancellationToken.None);
        int textHits = 0, vectorHits = 0, fusedHits = 0;
        foreach (var question in story.Questions)
        {
            var text = await textOnly.RecallAsync(adventureId, Owner, int.MaxValue, question.Text, [], CancellationToken.None);
            textHits += text.Candidates.Take(5).Any(c => c.Turn.Number == question.FactTurn) ? 1 : 0;
            var both = await fused.RecallAsync(adventureId, Owner, int.MaxValue, question.Text, [], CancellationToken.None);
            fusedHits += both.Candidates.Take(5).Any(c => c.Turn.Number == question.FactTurn) ? 1 : 0;
            var nearest = VectorMath.Nearest(partition.Matrix, partition.Dimensions, VectorMath.Normalized(bench.Local.Embed(question.Text)), 5);
            vectorHits += nearest.Any(n => partition.Numbers[n.Row] == question.FactTurn) ? 1 : 0;
        }
        var n = story.Questions.Count;
        await output.WriteLineAsync($"### Recall quality ({database.Engine})");
        await output.WriteLineAsync();
        await output.WriteLineAsync($"A generated adventure of {turns:N0} turns with {n} planted facts (an object put somewhere, once each; every object is also mentioned in unrelated turns), one question per fact (\"Where did I put the …?\", worded differently from the fact). recall@5: the fact's turn is among the first five recalled. Vectors: {EmbeddingModel} — a lexical stand-in, so the vector and fused rows measure the pipeline, not a semantic model.");
        await output.WriteLineAsync();
        var table = new MarkdownTable("ranking", "questions", "recall@5");
        table.Add("full text (BM25 / ts_rank_cd)", n.ToString(CultureInfo.InvariantCulture), Rate(textHits, n));
        table.Add("vectors (exact cosine)", n.ToString(CultureInfo.InvariantCulture), Rate(vectorHits, n));
        table.Add("fused (reciprocal rank fusion, k = 60)", n.ToString(CultureInfo.InvariantCulture), Rate(fusedHits, n));
        table.WriteTo(output);
    }

    private static string Ms(double value) => value.ToString("0.00", CultureInfo.InvariantCulture) + " ms";

    private static string Rate(int hits, int total) => $"{hits * 100.0 / total:0.0}% ({hits}/{total})";

    /// <summary>The real stores and recall over one benchmark database.</summary>
    private sealed class Setup(IStorageProvider provider)
    {
        public StoryLog Log { get; } = new(provider);

        public MemoryStore Store { get; } = new(provider);

        public LocalHashEmbedding Local { get; } = new(Dimensions);

        public MemoryEmbeddings Embeddings => new(Local, EmbeddingModel, usage: null, batchSize: 256);

        public MemoryOptions Options { get; } = new();

        public VectorPartitions Partitions => _partitions ??= new VectorPartitions(Store, Options, TimeProvider.System);

        private VectorPartitions? _partitions;

        public MemoryIndexJob Indexer(MemoryEmbeddings embeddings) => new(Log, Store, embeddings);

        public MemoryRecall Recall(MemoryEmbeddings embeddings) =>
            new(Store, embeddings, Partitions, Indexer(embeddings), Options, NullLogger<MemoryRecall>.Instance);

        /// <summary>Writes the story as a real story log (action taken, narration completed per turn) and returns the adventure id.</summary>
        public async Task<string> WriteAsync(GeneratedStory story)
        {
            var id = Guid.NewGuid().ToString("N");
            var at = DateTimeOffset.UtcNow;
            var events = new List<StoryEvent>();
            foreach (var turn in story.Turns)
            {
                var turnId = $"t{turn.Number:D6}";
                events.Add(StoryEvent.Create(id, events.Count + 1, new ActionTaken(turnId, turn.Number, "do", turn.Action), "bench", at));
                events.Add(StoryEvent.Create(id, events.Count + 1, new NarrationCompleted(turnId, 0, turn.Narration, "bench", "bench",
                    new TokenUsage(null, null), new NarrationTimings(null, 0)), "bench", at));
            }
            var adventure = new Adventure(id, "bench", "world", "Recall benchmark", null, [], null, null, null, events.Count, story.Turns.Count, at, at);
            await Log.CreateAsync(adventure, events, StoryProjection.Replay(events), CancellationToken.None);
            return id;
        }
    }
}
