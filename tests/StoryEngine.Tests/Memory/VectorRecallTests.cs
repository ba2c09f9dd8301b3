using System.Net.Http.Json;
using StoryEngine.Core.Memory;
using StoryEngine.Tests.Api;
using StoryEngine.Tests.Infrastructure;
using static StoryEngine.Tests.Memory.MemoryTestData;

namespace StoryEngine.Tests.Memory;

/// <summary>Recall with an embedding backend configured: turns are embedded when indexed, the query at recall, and both
/// rankings fused.</summary>
public abstract class VectorRecallTests(MemoryServer memory)
{
    [Fact]
    public async Task turns_are_embedded_and_recall_fuses_similarity_with_full_text()
    {
        using var client = await memory.Server.CreateUserClientAsync();
        var setup = await AdventureTestData.CreateAsync(client);
        var fact = await AdventureTestData.TakeTurnAsync(client, setup.AdventureId, Fact);
        await FillerTurnsAsync(client, setup.AdventureId, 12);
        const string Question = "Where did I hide the brass key?";
        var question = await AdventureTestData.TakeTurnAsync(client, setup.AdventureId, Question);

        // indexed
        Assert.Contains(memory.Embeddings.Inputs, i => i.StartsWith("[Action] " + Fact, StringComparison.Ordinal));
        Assert.Contains(Question, memory.Embeddings.Inputs); // the query
        // Both the indexing and the query's embedding are in the user's usage ledger, with the backend's counts.
        var usage = await (await client.GetAsync("/api/v1/me/usage")).JsonAsync();
        var embedding = BackgroundJobs.UsageFor(usage, Core.Usage.UsagePurposes.Embedding)!.Value;
        Assert.True(embedding.GetProperty("calls").GetInt64() >= 2);
        Assert.True(embedding.GetProperty("promptTokens").GetInt64() > 0);
        Assert.Equal(0, embedding.GetProperty("completionTokens").GetInt64());
        Assert.Equal(0, embedding.GetProperty("estimatedCalls").GetInt64());
        Assert.Contains(usage.GetProperty("byModel").EnumerateArray(), m =>
            m.Str("backend") == "embedder" && m.Str("model") == "scripted-embed"
        );
        var context = await ContextAsync(client, setup.AdventureId, question.Id());
        var entry = Recalled(context).Single(r => r.Str("turnId") == fact.Id());
        Assert.True(entry.GetProperty("included").GetBoolean());
        Assert.Equal(1, entry.GetProperty("textRank").GetInt32());
        Assert.True(entry.GetProperty("vectorRank").GetInt32() >= 1);
        Assert.True(entry.GetProperty("similarity").GetSingle() > 0);
        // Reciprocal rank fusion with k = 60: the sum of both rankings' shares.
        var expected =
            1.0 / (60 + entry.GetProperty("textRank").GetInt32())
            + 1.0 / (60 + entry.GetProperty("vectorRank").GetInt32());
        Assert.Equal(expected, entry.GetProperty("score").GetDouble(), 9);
        Assert.Equal(
            System.Text.Json.JsonValueKind.Null,
            context.GetProperty("memory").GetProperty("recallNote").ValueKind
        );
        Assert.Contains(
            $"Turn 1: [Action] {Fact}",
            RecalledMessage(await NarrationMessagesAsync(Question)),
            StringComparison.Ordinal
        );
    }

    [Fact]
    public async Task failing_embedding_backend_fails_the_index_job_without_writing_and_recall_falls_back_to_full_text()
    {
        using var client = await memory.Server.CreateUserClientAsync();
        var setup = await AdventureTestData.CreateAsync(client);
        var fact = await AdventureTestData.TakeTurnAsync(client, setup.AdventureId, Fact);
        await FillerTurnsAsync(client, setup.AdventureId, 12);
        const string Question = "Where did I hide the brass key? {{embedfail}}";
        var question = await AdventureTestData.TakeTurnAsync(client, setup.AdventureId, Question);

        // The turn itself completes, with full-text recall, and the inspector says what was missing.
        Assert.Equal("completed", question.Str("status"));
        var context = await ContextAsync(client, setup.AdventureId, question.Id());
        Assert.Contains(
            "vector recall skipped",
            context.GetProperty("memory").Str("recallNote"),
            StringComparison.Ordinal
        );
        Assert.Contains(Recalled(context), r => r.Str("turnId") == fact.Id() && r.GetProperty("included").GetBoolean());

        // Indexing the new turn failed as a whole: the job failed and the index holds nothing of it.
        var store = memory.Server.Services.GetRequiredService<IMemoryStore>();
        Assert.Contains(memory.Queue.Runs, r =>
            r.Request.Type == MemoryIndexJob.JobType
            && r.Request.AdventureId == setup.AdventureId
            && r.Error is not null
        );
        Assert.DoesNotContain(await store.ListIndexedAsync(setup.AdventureId, CancellationToken.None), i =>
            i.TurnId == question.Id()
        );

        // Once the text no longer trips the backend, the next run (the queue's retry) indexes it with its vector.
        (
            await client.PatchAsJsonAsync(
                $"/api/v1/adventures/{setup.AdventureId}/turns/{question.Id()}",
                new { playerText = "Where did I hide the brass key?" }
            )
        ).EnsureSuccessStatusCode();
        var handler = memory
            .Server.Services.GetServices<Core.Jobs.IJobHandler>()
            .Single(h => h.Type == MemoryIndexJob.JobType);
        await handler.HandleAsync(
            new Core.Jobs.JobContext("retry", MemoryIndexJob.JobType, "{}", "owner", setup.AdventureId, 2),
            CancellationToken.None
        );
        var indexed = Assert.Single(await store.ListIndexedAsync(setup.AdventureId, CancellationToken.None), i =>
            i.TurnId == question.Id()
        );
        Assert.Equal("scripted-embed", indexed.EmbeddingModel);
    }
}

public sealed class VectorRecallTests_Sqlite(VectorMemorySqliteServer memory)
    : VectorRecallTests(memory),
        IClassFixture<VectorMemorySqliteServer>;

public sealed class VectorRecallTests_Postgres(VectorMemoryPostgresServer memory)
    : VectorRecallTests(memory),
        IClassFixture<VectorMemoryPostgresServer>;
