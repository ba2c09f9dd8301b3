using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging.Abstractions;
using StoryEngine.Bench.Harness;
using StoryEngine.Bench.Memory;
using StoryEngine.Core.Knowledge;
using StoryEngine.Core.Memory;
using StoryEngine.Core.Resources;
using StoryEngine.Core.Worlds;
using StoryEngine.Providers.Embeddings;
using StoryEngine.Server.Jobs;
using StoryEngine.Storage;
using StoryEngine.Storage.Documents;
using StoryEngine.Storage.Knowledge;
using StoryEngine.Storage.Migrations;
using StoryEngine.Storage.Postgres;
using StoryEngine.Storage.Sqlite;

namespace StoryEngine.Bench.Knowledge;

/// <summary>
/// The knowledge benchmarks of issue 20, with the real packaged model (all-MiniLM-L6-v2) and the real stores:
/// <c>knowledge-recall</c>: recall@5 on issue 5's planted-facts adventure, full text vs MiniLM vectors vs the fusion;
/// <c>embed-throughput</c>: passages a second when indexing, and one query's latency;
/// <c>knowledge-search</c>: hybrid search over N passages of one world, with and without the query's embedding;
/// <c>knowledge-memory</c>: the server's start-up and working set before and after the model is loaded.
/// </summary>
internal static class KnowledgeBench
{
    public const string Usage = """
        usage: StoryEngine.Bench knowledge-recall [--postgres CONNECTION] [--turns N] [--facts N]
               StoryEngine.Bench embed-throughput [--texts N] [--samples N]
               StoryEngine.Bench knowledge-search [--postgres CONNECTION] [--chunks N] [--samples N]
               StoryEngine.Bench knowledge-memory [--postgres CONNECTION]
        """;

    private const string Owner = "bench";

    public static async Task<int> RunAsync(string[] args, TextWriter output)
    {
        string? postgres = null;
        int turns = 2_000,
            facts = 200,
            texts = 512,
            samples = 200,
            chunks = 100_000;
        for (var i = 1; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            var number = int.TryParse(value, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : (int?)null;
            switch (args[i])
            {
                case "--postgres" when value is not null:
                    postgres = value;
                    break;
                case "--turns" when number is > 10 and <= 200_000:
                    turns = n;
                    break;
                case "--facts" when number is <= 216:
                    facts = n;
                    break;
                case "--texts" when number is <= 100_000:
                    texts = n;
                    break;
                case "--samples" when number is <= 100_000:
                    samples = n;
                    break;
                case "--chunks" when number is <= 2_000_000:
                    chunks = n;
                    break;
                default:
                    await Console.Error.WriteLineAsync(Usage);
                    return 2;
            }
            i++;
        }
        switch (args[0])
        {
            case "embed-throughput":
                await ThroughputAsync(texts, samples, output);
                return 0;
            case "knowledge-memory":
                await using (var database = await BenchDatabase.CreateAsync(postgres))
                {
                    await MemoryAsync(database, output);
                }
                return 0;
        }
        await using var db = await BenchDatabase.CreateAsync(postgres);
        IStorageProvider provider = db.ConnectionString is null
            ? new SqliteStorageProvider(db.SqlitePath)
            : new PostgresStorageProvider(db.ConnectionString);
        await provider.PrepareAsync(CancellationToken.None);
        await new MigrationRunner(provider).UpAsync(dryRun: false, CancellationToken.None);
        if (args[0] == "knowledge-recall")
        {
            await RecallAsync(provider, db, turns, facts, output);
        }
        else
        {
            await SearchAsync(provider, db, chunks, samples, output);
        }
        return 0;
    }

    private static MemoryEmbeddings MiniLm(IEmbeddingGenerator<string, Embedding<float>>? generator = null) =>
        new(
            generator ?? new LocalEmbeddingGenerator(batchSize: 32),
            LocalEmbeddingModel.Name,
            usage: null,
            backend: "local",
            batchSize: 32
        );

    private static async Task RecallAsync(
        IStorageProvider provider,
        BenchDatabase database,
        int turns,
        int facts,
        TextWriter output
    )
    {
        var bench = new MemoryBench.Setup(provider);
        var story = new GeneratedStory(turns, facts, seed: 11);
        var adventureId = await bench.WriteAsync(story);
        var embeddings = MiniLm();
        await LocalEmbeddingModel.LoadAsync();
        var indexing = Stopwatch.StartNew();
        await bench.Indexer(embeddings).SyncAsync(adventureId, Owner, withVectors: true, CancellationToken.None);
        indexing.Stop();
        await database.AnalyzeAsync();
        var textOnly = bench.Recall(MemoryEmbeddings.None);
        var fused = bench.Recall(embeddings);
        var partition = await bench.Partitions.GetAsync(
            adventureId,
            LocalEmbeddingModel.Name,
            await bench.Store.GetGenerationAsync(adventureId, CancellationToken.None),
            CancellationToken.None
        );
        int textHits = 0,
            vectorHits = 0,
            fusedHits = 0;
        foreach (var question in story.Questions)
        {
            var text = await textOnly.RecallAsync(adventureId, Owner, int.MaxValue, question.Text, [], default);
            textHits += text.Candidates.Take(5).Any(c => c.Turn.Number == question.FactTurn) ? 1 : 0;
            var both = await fused.RecallAsync(adventureId, Owner, int.MaxValue, question.Text, [], default);
            fusedHits += both.Candidates.Take(5).Any(c => c.Turn.Number == question.FactTurn) ? 1 : 0;
            var query = (await embeddings.EmbedAsync([question.Text], Owner, null, default))[0];
            var nearest = VectorMath.Nearest(partition.Matrix, partition.Dimensions, query, 5);
            vectorHits += nearest.Any(r => partition.Numbers[r.Row] == question.FactTurn) ? 1 : 0;
        }
        var count = story.Questions.Count;
        await output.WriteLineAsync($"### Recall quality with all-MiniLM-L6-v2 ({database.Engine})");
        await output.WriteLineAsync();
        await output.WriteLineAsync(
            $"Issue 5's generated adventure: {turns:N0} turns, {count} planted facts, one question each (\"Where did "
                + "I put the …?\"); recall@5: the fact's turn is among the first five. Indexing the turns with the "
                + $"model (text and vectors): {indexing.Elapsed.TotalSeconds:0.0} s."
        );
        await output.WriteLineAsync();
        var table = new MarkdownTable("ranking", "questions", "recall@5");
        var questions = count.ToString(CultureInfo.InvariantCulture);
        table.Add("full text (BM25 / ts_rank)", questions, Rate(textHits, count));
        table.Add("vectors (all-MiniLM-L6-v2, exact cosine)", questions, Rate(vectorHits, count));
        table.Add("fused (reciprocal rank fusion, k = 60)", questions, Rate(fusedHits, count));
        table.WriteTo(output);
    }

    private static async Task ThroughputAsync(int texts, int samples, TextWriter output)
    {
        var load = Stopwatch.StartNew();
        await LocalEmbeddingModel.LoadAsync();
        load.Stop();
        var story = new GeneratedStory(Math.Max(texts, samples) + 10, facts: 10, seed: 5);
        var passages = story.Turns.Take(texts).Select(t => t.Action + " " + t.Narration).ToArray();
        using var generator = new LocalEmbeddingGenerator(batchSize: 32);
        await generator.GenerateAsync(passages.Take(32)); // warm-up: the JIT and ONNX Runtime's first runs
        var clock = Stopwatch.StartNew();
        await generator.GenerateAsync(passages);
        clock.Stop();
        var single = new List<double>(samples);
        foreach (var turn in story.Turns.Take(samples))
        {
            var started = Stopwatch.GetTimestamp();
            await generator.GenerateAsync([turn.Action]);
            single.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        var latency = new Percentiles(single);
        var words = passages.Average(p => p.Split(' ').Length);
        await output.WriteLineAsync("### Embedding throughput (all-MiniLM-L6-v2, one ONNX thread)");
        await output.WriteLineAsync();
        await output.WriteLineAsync(
            $"Model load: {load.Elapsed.TotalMilliseconds:0} ms. {texts} passages of {words:0} words on average "
                + "(an action and its narration), batches of 32."
        );
        await output.WriteLineAsync();
        var table = new MarkdownTable("what", "count", "result");
        table.Add(
            "indexing throughput",
            texts.ToString(CultureInfo.InvariantCulture),
            $"{texts / clock.Elapsed.TotalSeconds:0.0} passages/s ({clock.Elapsed.TotalSeconds:0.00} s)"
        );
        table.Add(
            "one query (a player's move), p50 / p95 / p99",
            samples.ToString(CultureInfo.InvariantCulture),
            $"{Ms(latency.P50)} / {Ms(latency.P95)} / {Ms(latency.P99)}"
        );
        table.WriteTo(output);
    }

    private static async Task SearchAsync(
        IStorageProvider provider,
        BenchDatabase database,
        int chunks,
        int samples,
        TextWriter output
    )
    {
        var worldId = Ids.New();
        var documentId = Ids.New();
        var now = DateTimeOffset.UtcNow;
        await new DocumentStore<World>(provider, "worlds").InsertAsync(
            new StoredResource<World>(worldId, Owner, null, new World { Name = "Bench" }, 1, now, now, null),
            default
        );
        await new DocumentStore<KnowledgeDocument>(provider, "knowledge_documents", "worlds").InsertAsync(
            new StoredResource<KnowledgeDocument>(
                documentId,
                Owner,
                worldId,
                new KnowledgeDocument
                {
                    Name = "Bible",
                    Format = DocumentFormats.Text,
                    MediaType = "text/plain",
                    Sha256 = "",
                },
                1,
                now,
                now,
                null
            ),
            default
        );
        // Passages from the generated adventure's turns; their vectors are random unit vectors (seeded), since
        // embedding 100,000 passages with the model would take most of an hour here and the scan's cost does not
        // depend on what the vectors hold. The query is embedded by the model for real.
        var story = new GeneratedStory(Math.Min(chunks, 20_000), facts: 200, seed: 3);
        var store = new KnowledgeStore(provider);
        var writing = Stopwatch.StartNew();
        var passages = Enumerable
            .Range(0, chunks)
            .Select(i =>
            {
                var turn = story.Turns[i % story.Turns.Count];
                return new DocumentChunk(i, $"Chapter {i / 50}", turn.Action + " " + turn.Narration);
            })
            .ToArray();
        await store.ReplaceChunksAsync(Owner, worldId, documentId, passages, default);
        var random = new Random(17);
        var stored = await store.ListChunksAsync(documentId, default);
        foreach (var batch in stored.Chunk(5_000))
        {
            await store.SetVectorsAsync(
                worldId,
                [.. batch.Select(c => (c.Id, RandomUnit(random, LocalEmbeddingModel.Dimensions)))],
                LocalEmbeddingModel.Name,
                default
            );
        }
        writing.Stop();
        await database.AnalyzeAsync();
        await LocalEmbeddingModel.LoadAsync();

        var questions = story.Questions.Select(q => q.Text).ToArray();
        var rows = new List<string[]>();
        var memo = new MemoizedGenerator(new LocalEmbeddingGenerator(batchSize: 32));
        foreach (
            var (label, embeddings) in new[]
            {
                ("hybrid, query embedded by the model each time", MiniLm()),
                ("hybrid, query vector cached (search alone)", MiniLm(memo)),
                ("full text only", MemoryEmbeddings.None),
            }
        )
        {
            var search = new KnowledgeSearch(
                store,
                embeddings,
                new KnowledgeOptions(),
                new MemoryOptions(),
                TimeProvider.System,
                NullLogger<KnowledgeSearch>.Instance
            );
            foreach (var warmUp in questions)
            {
                await search.SearchAsync(Owner, worldId, warmUp, 10, default);
            }
            var times = new List<double>(samples);
            for (var i = 0; i < samples; i++)
            {
                var started = Stopwatch.GetTimestamp();
                await search.SearchAsync(Owner, worldId, questions[i % questions.Length], 10, default);
                times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
            var p = new Percentiles(times);
            rows.Add([label, chunks.ToString("N0", CultureInfo.InvariantCulture), Ms(p.P50), Ms(p.P95), Ms(p.P99)]);
        }
        await output.WriteLineAsync($"### Knowledge search over {chunks:N0} passages of one world ({database.Engine})");
        await output.WriteLineAsync();
        await output.WriteLineAsync(
            $"Writing the passages and their vectors: {writing.Elapsed.TotalSeconds:0.0} s. {samples} searches, round "
                + "robin over 200 questions, limit 10, after one warm-up pass (vectors cached in process). Target: "
                + "p99 ≤ 20 ms."
        );
        await output.WriteLineAsync();
        var table = new MarkdownTable("search", "passages", "p50", "p95", "p99");
        rows.ForEach(r => table.Add(r));
        table.WriteTo(output);
        await WriteSketchAgreementAsync(store, worldId, questions, memo, output);
    }

    /// <summary>How often the sketched similarity ranking (ADR 60) holds the exact ranking's passages, on these
    /// vectors: random ones, the worst case for a sketch (real embeddings cluster; see VectorSketchTests).</summary>
    private static async Task WriteSketchAgreementAsync(
        KnowledgeStore store,
        string worldId,
        string[] questions,
        MemoizedGenerator memo,
        TextWriter output
    )
    {
        var options = new KnowledgeOptions();
        var vectors = await store.LoadVectorsAsync(worldId, LocalEmbeddingModel.Name, default);
        if (vectors.ChunkIds.Length < options.SketchFromPassages)
        {
            return;
        }
        var sketch = VectorSketch.Build(vectors.Matrix, vectors.Dimensions);
        var found = 0;
        var wanted = 0;
        foreach (var question in questions)
        {
            var query = VectorMath.Normalized((await memo.GenerateAsync([question]))[0].Vector.Span);
            var exact = VectorMath
                .Nearest(vectors.Matrix, vectors.Dimensions, query, options.Candidates)
                .Select(h => h.Row)
                .ToHashSet();
            found += sketch
                .Nearest(vectors.Matrix, query, options.Candidates, options.SketchShortlist)
                .Count(h => exact.Contains(h.Row));
            wanted += exact.Count;
        }
        await output.WriteLineAsync();
        await output.WriteLineAsync(
            $"Sketched similarity ranking (shortlist {options.SketchShortlist:N0}) against exact search, "
                + $"{questions.Length} questions: {100.0 * found / wanted:0.0}% of the exact top "
                + $"{options.Candidates} found, on these random vectors (the sketch's worst case)."
        );
    }

    private static async Task MemoryAsync(BenchDatabase database, TextWriter output)
    {
        var rows = new List<string[]>();
        var started = Stopwatch.StartNew();
        await using (
            var host = await BenchHost.StartAsync(
                database,
                new Dictionary<string, string?> { ["Embeddings:Local"] = "true" }
            )
        )
        {
            var ready = started.Elapsed;
            rows.Add([
                "ready (model not loaded yet: it loads after start-up)",
                Ms(ready.TotalMilliseconds),
                WorkingSet(),
            ]);
            var warmup = host.Services.GetServices<IHostedService>().OfType<EmbeddingsWarmupService>().Single();
            var loading = Stopwatch.StartNew();
            await warmup.Swept;
            loading.Stop();
            rows.Add([
                "model loaded (and the re-index sweep queued)",
                Ms(loading.Elapsed.TotalMilliseconds) + " after ready",
                WorkingSet(),
            ]);
        }
        await output.WriteLineAsync("### Start-up and idle memory with the local model");
        await output.WriteLineAsync();
        await output.WriteLineAsync(
            "The real host on a fresh database, in this process (the bench's own code is in the figure too); working "
                + "set after a full garbage collection. For the installed program's start-up without the model, see "
                + "bench/startup.sh (or run it with Embeddings__Local=false)."
        );
        await output.WriteLineAsync();
        var table = new MarkdownTable("moment", "time", "working set");
        rows.ForEach(r => table.Add(r));
        table.WriteTo(output);
    }

    private static string WorkingSet()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        return $"{Environment.WorkingSet / (1024.0 * 1024):0} MB";
    }

    private static float[] RandomUnit(Random random, int dimensions)
    {
        var vector = new float[dimensions];
        for (var i = 0; i < dimensions; i++)
        {
            vector[i] = (float)(random.NextDouble() * 2 - 1);
        }
        return VectorMath.Normalized(vector);
    }

    private static string Ms(double value) => value.ToString("0.00", CultureInfo.InvariantCulture) + " ms";

    private static string Rate(int hits, int total) => $"{hits * 100.0 / total:0.0}% ({hits}/{total})";

    /// <summary>The model, remembering each text's vector: times the search without the query's embedding.</summary>
    private sealed class MemoizedGenerator(IEmbeddingGenerator<string, Embedding<float>> inner)
        : IEmbeddingGenerator<string, Embedding<float>>
    {
        private readonly Dictionary<string, Embedding<float>> _seen = new(StringComparer.Ordinal);

        public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
            IEnumerable<string> values,
            EmbeddingGenerationOptions? options = null,
            CancellationToken cancellationToken = default
        )
        {
            var texts = values.ToArray();
            var missing = texts.Where(t => !_seen.ContainsKey(t)).Distinct().ToArray();
            if (missing.Length > 0)
            {
                var made = await inner.GenerateAsync(missing, options, cancellationToken);
                for (var i = 0; i < missing.Length; i++)
                {
                    _seen[missing[i]] = made[i];
                }
            }
            return new GeneratedEmbeddings<Embedding<float>>(texts.Select(t => _seen[t]));
        }

        public object? GetService(Type serviceType, object? serviceKey = null) =>
            inner.GetService(serviceType, serviceKey);

        public void Dispose() => inner.Dispose();
    }
}
