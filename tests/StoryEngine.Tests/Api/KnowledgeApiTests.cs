using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Dapper;
using StoryEngine.Core.Jobs;
using StoryEngine.Providers.Embeddings;
using StoryEngine.Server.Jobs;
using StoryEngine.Storage;
using StoryEngine.Tests.Infrastructure;
using StoryEngine.Tests.Knowledge;

namespace StoryEngine.Tests.Api;

/// <summary>A server with the packaged embedding model on (the test default is off): the model is loaded once per
/// test process and shared by every server in it.</summary>
public sealed class KnowledgeSqliteFixture : SqliteServerFixture
{
    public KnowledgeSqliteFixture() => ExtraSettings["Embeddings:Local"] = "true";
}

/// <inheritdoc cref="KnowledgeSqliteFixture"/>
public sealed class KnowledgePostgresFixture : PostgresServerFixture
{
    public KnowledgePostgresFixture() => ExtraSettings["Embeddings:Local"] = "true";
}

/// <summary>
/// World documents and knowledge search (issue 20) with the real all-MiniLM-L6-v2 model: a document is found by a
/// question that shares no word with its answer, trash hides it, limits are named, and a model change re-indexes.
/// </summary>
public abstract class KnowledgeApiTests(ServerFixture server)
{
    [Fact]
    public async Task a_document_is_found_by_a_question_sharing_no_keywords_with_its_answer()
    {
        using var client = await server.CreateUserClientAsync();
        var world = (await client.PostJsonAsync("/api/v1/worlds", new { name = "Vell" })).Id();
        var document = await UploadAsync(client, world, KnowledgeFiles.Bible, "text/markdown", "bible.md");
        Assert.Equal("bible", document.Str("name"));
        Assert.Equal("markdown", document.Str("format"));
        await ReadyAsync(client, world, document.Id());

        var search = await (
            await client.GetAsync($"/api/v1/worlds/{world}/knowledge/search?q=Who%20is%20the%20monarch%3F&limit=3")
        ).JsonAsync();

        Assert.Equal("hybrid", search.Str("mode"));
        Assert.Equal(LocalEmbeddingModel.Name, search.Str("model"));
        var best = search.GetProperty("items")[0];
        Assert.Equal("Vell › Rulers", best.Str("heading"));
        Assert.Contains("Queen Isolde", best.Str("text"), StringComparison.Ordinal);
        Assert.Equal(document.Id(), best.Str("documentId"));
        Assert.Equal("bible", best.Str("documentName"));
        Assert.Equal(JsonValueKind.Null, best.GetProperty("textRank").ValueKind); // found by meaning alone
        Assert.Equal(1, best.GetProperty("vectorRank").GetInt32());

        // Words still find what they name, ranked first by both.
        var words = await (
            await client.GetAsync($"/api/v1/worlds/{world}/knowledge/search?q=saltfish%20amber%20barges")
        ).JsonAsync();
        var trade = words.GetProperty("items")[0];
        Assert.Equal("Vell › Trade", trade.Str("heading"));
        Assert.Equal(1, trade.GetProperty("textRank").GetInt32());
    }

    [Fact]
    public async Task a_turn_about_a_document_sends_its_passage_to_the_backend_cited_in_the_inspector()
    {
        using var client = await server.CreateUserClientAsync();
        // The marker is in the opening, so the move itself is only the question. The opening (the recent story, a
        // second ranking by meaning) is about nothing in the bible, so it brings no passage of its own.
        var marker = Guid.NewGuid().ToString("N")[..8];
        var setup = await AdventureTestData.CreateAsync(client, opening: $"The clock strikes nine ({marker}).");
        var document = await UploadAsync(client, setup.WorldId, KnowledgeFiles.Bible, "text/markdown", "bible.md");
        await ReadyAsync(client, setup.WorldId, document.Id());

        var turn = await AdventureTestData.TakeTurnAsync(client, setup.AdventureId, "Who is the monarch?");

        var backend = await ScriptedBackend.InstanceAsync();
        var request = backend.RequestsContaining(marker).First(r => r["response_format"] is null);
        var messages = request["messages"]!.AsArray().Select(m => m!["content"]!.GetValue<string>()).ToArray();
        var knowledge = Assert.Single(messages, m => m.StartsWith("[World knowledge", StringComparison.Ordinal));
        Assert.Contains("From \"bible\", Vell › Rulers: Queen Isolde governs", knowledge, StringComparison.Ordinal);
        Assert.DoesNotContain("honey cakes", knowledge, StringComparison.Ordinal); // food, not rulers: too far
        // It comes before the player's move, for this prompt only.
        Assert.Contains("Who is the monarch?", messages[^1], StringComparison.Ordinal);

        var context = await (
            await client.GetAsync($"/api/v1/adventures/{setup.AdventureId}/turns/{turn.Id()}/context")
        ).JsonAsync();
        var section = context.GetProperty("sections").EnumerateArray().Single(s => s.Str("name") == "world knowledge");
        Assert.Contains("bible › Vell › Rulers", section.Str("note"), StringComparison.Ordinal);
        var passages = context.GetProperty("knowledge").GetProperty("passages").EnumerateArray().ToArray();
        var cited = Assert.Single(passages, p => p.Str("heading") == "Vell › Rulers");
        Assert.Equal(document.Id(), cited.Str("documentId"));
        Assert.True(cited.GetProperty("included").GetBoolean());
        Assert.Equal("included", cited.Str("reason"));
        Assert.Equal(1, cited.GetProperty("vectorRank").GetInt32());
        Assert.Contains(passages, p =>
            !p.GetProperty("included").GetBoolean() && p.Str("reason") == "not similar enough"
        );
    }

    [Fact]
    public async Task a_vectorized_lore_entry_fires_by_meaning_and_a_plain_one_only_by_its_keys()
    {
        using var client = await server.CreateUserClientAsync();
        var setup = await AdventureTestData.CreateAsync(client);
        var entries = new object[]
        {
            new
            {
                id = 1,
                keys = new[] { "isolde" },
                content = "The monarch of Vell is Queen Isolde, who rules from the basalt keep.",
                vectorized = true,
            },
            // As close in meaning but not vectorized: only its key fires it (the first entry's content lacks it).
            new
            {
                id = 2,
                keys = new[] { "throne" },
                content = "The queen of the town sits on a seat of black basalt.",
            },
            new
            {
                id = 3,
                keys = new[] { "bread" },
                content = "Bakers make black bread with seaweed flour.",
                vectorized = true,
            },
        };
        var book = await client.PostJsonAsync(
            $"/api/v1/worlds/{setup.WorldId}/lorebooks",
            new { name = "Court", entries }
        );
        Assert.True(book.GetProperty("entries")[0].GetProperty("vectorized").GetBoolean());
        await server
            .Services.GetServices<Microsoft.Extensions.Hosting.IHostedService>()
            .OfType<EmbeddingsWarmupService>()
            .Single()
            .Swept;

        var turn = await AdventureTestData.TakeTurnAsync(client, setup.AdventureId, "Who is the monarch here?");

        var context = await (
            await client.GetAsync($"/api/v1/adventures/{setup.AdventureId}/turns/{turn.Id()}/context")
        ).JsonAsync();
        var fired = context.GetProperty("lore").GetProperty("fired").EnumerateArray().ToArray();
        var byMeaning = Assert.Single(fired);
        Assert.Equal(1, byMeaning.GetProperty("entryId").GetInt32());
        Assert.Equal("meaning", byMeaning.Str("reason"));
        Assert.Contains("close in meaning", byMeaning.Str("where"), StringComparison.Ordinal);
        var triggered = context.GetProperty("sections").EnumerateArray().Single(s => s.Str("name") == "triggered lore");
        Assert.Contains("Queen Isolde", triggered.Str("text"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task trashed_documents_are_not_searched_until_restored_and_the_original_comes_back_as_sent()
    {
        using var client = await server.CreateUserClientAsync();
        var world = (await client.PostJsonAsync("/api/v1/worlds", new { name = "Ash" })).Id();
        var epub = KnowledgeFiles.Epub();
        var document = await UploadBytesAsync(client, world, epub, "application/epub+zip", "chronicle.epub");
        var id = document.Id();
        Assert.Equal("epub", document.Str("format"));
        Assert.Equal(2, document.GetProperty("index").GetProperty("passages").GetInt32());

        async Task<int> HitsAsync() =>
            (await (await client.GetAsync($"/api/v1/worlds/{world}/knowledge/search?q=volcanic%20crown")).JsonAsync())
                .GetProperty("items")
                .GetArrayLength();

        Assert.True(await HitsAsync() > 0);
        var original = await client.GetAsync($"/api/v1/worlds/{world}/documents/{id}/file");
        Assert.Equal(HttpStatusCode.OK, original.StatusCode);
        Assert.Equal("application/epub+zip", original.Content.Headers.ContentType!.MediaType);
        Assert.Equal(epub, await original.Content.ReadAsByteArrayAsync());

        Assert.Equal(
            HttpStatusCode.NoContent,
            (await client.DeleteAsync($"/api/v1/worlds/{world}/documents/{id}")).StatusCode
        );
        Assert.Equal(0, await HitsAsync());
        var trash = await (await client.GetAsync($"/api/v1/worlds/{world}/documents/trash")).JsonAsync();
        Assert.Equal(id, Assert.Single(trash.GetProperty("items").EnumerateArray()).Id());
        await (await client.GetAsync($"/api/v1/worlds/{world}/documents/{id}")).AssertProblemAsync(
            HttpStatusCode.NotFound,
            "not_found"
        );

        (await client.PostAsync($"/api/v1/worlds/{world}/documents/{id}/restore", null)).EnsureSuccessStatusCode();
        Assert.True(await HitsAsync() > 0);
        var renamed = await (
            await client.PatchAsJsonAsync($"/api/v1/worlds/{world}/documents/{id}", new { name = "Chronicle" })
        ).JsonAsync();
        Assert.Equal("Chronicle", renamed.Str("name"));
        var list = await (await client.GetAsync($"/api/v1/worlds/{world}/documents")).JsonAsync();
        Assert.Equal("Chronicle", Assert.Single(list.GetProperty("items").EnumerateArray()).Str("name"));
    }

    [Fact]
    public async Task pdf_and_html_uploads_are_searchable_and_bad_uploads_get_precise_problems()
    {
        using var client = await server.CreateUserClientAsync();
        var world = (await client.PostJsonAsync("/api/v1/worlds", new { name = "Almanac" })).Id();
        using (var form = new MultipartFormDataContent())
        {
            var file = new ByteArrayContent(KnowledgeFiles.File("almanac.pdf"));
            file.Headers.ContentType = new MediaTypeHeaderValue("application/pdf");
            form.Add(file, "file", "almanac.pdf");
            form.Add(new StringContent("Almanac (print)"), "name");
            form.Add(new StringContent("calendar"), "tag");
            var pdf = await (await client.PostAsync($"/api/v1/worlds/{world}/documents", form)).JsonAsync(
                HttpStatusCode.Created
            );
            Assert.Equal("pdf", pdf.Str("format"));
            Assert.Equal("Almanac (print)", pdf.Str("name"));
            Assert.Equal(["calendar"], pdf.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        }
        var html = await UploadBytesAsync(
            client,
            world,
            KnowledgeFiles.File("almanac.html"),
            "text/html",
            "almanac.html"
        );
        Assert.Equal("html", html.Str("format"));
        var search = await (
            await client.GetAsync($"/api/v1/worlds/{world}/knowledge/search?q=grey%20moon")
        ).JsonAsync();
        var headings = search.GetProperty("items").EnumerateArray().Select(i => i.Str("heading")).ToArray();
        Assert.Contains("Page 1", headings);
        Assert.Contains("Almanac of Vell › Tides", headings);

        // 415: not a format we read; 400: a PDF that is not one; 422: past the text limit; 413: past the byte limit.
        await (await PostRawAsync(client, world, [0x89, 0x50, 0x4E, 0x47], "image/png", "x.png")).AssertProblemAsync(
            HttpStatusCode.UnsupportedMediaType,
            "unsupported_format"
        );
        await (
            await PostRawAsync(client, world, Encoding.ASCII.GetBytes("%PDF-1.4 broken"), "application/pdf", "b.pdf")
        ).AssertProblemAsync(HttpStatusCode.BadRequest, "invalid_document");
        var huge = Encoding.UTF8.GetBytes(string.Join("\n\n", Enumerable.Repeat(new string('a', 900), 2_300)));
        var tooLong = await (await PostRawAsync(client, world, huge, "text/plain", "huge.txt")).AssertProblemAsync(
            (HttpStatusCode)422,
            "document_too_long"
        );
        Assert.Contains("Knowledge:MaxDocumentCharacters", tooLong.Str("detail"), StringComparison.Ordinal);
        var tooLarge = await (
            await PostRawAsync(client, world, new byte[17 * 1024 * 1024], "text/plain", "big.txt")
        ).AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
        Assert.Contains("16 MB", tooLarge.Str("detail"), StringComparison.Ordinal);
        await (await client.GetAsync($"/api/v1/worlds/{world}/knowledge/search?q=")).AssertProblemAsync(
            HttpStatusCode.BadRequest,
            "validation_failed"
        );
        await (await client.GetAsync($"/api/v1/worlds/{world}/knowledge/search?q=x&limit=500")).AssertProblemAsync(
            HttpStatusCode.BadRequest,
            "validation_failed"
        );

        // Someone else's world is not found, for upload and for search.
        using var stranger = await server.CreateUserClientAsync();
        await (await PostRawAsync(stranger, world, "hi"u8.ToArray(), "text/plain", "a.txt")).AssertProblemAsync(
            HttpStatusCode.NotFound,
            "not_found"
        );
        await (await stranger.GetAsync($"/api/v1/worlds/{world}/knowledge/search?q=moon")).AssertProblemAsync(
            HttpStatusCode.NotFound,
            "not_found"
        );
    }

    [Fact]
    public async Task a_model_change_re_embeds_documents_and_adventures_in_the_background()
    {
        using var client = await server.CreateUserClientAsync();
        var setup = await AdventureTestData.CreateAsync(client);
        var document = await UploadAsync(client, setup.WorldId, KnowledgeFiles.Bible, "text/markdown", "bible.md");
        await ReadyAsync(client, setup.WorldId, document.Id());
        (
            await client.SendAsync(AdventureTestData.Turn(setup.AdventureId, "I look at the harbour."))
        ).EnsureSuccessStatusCode();
        await BackgroundJobs.SettleAsync(client, setup.AdventureId, "memory.index");

        // As if the vectors were made by a model configured before: every one is of "old-model" now.
        var provider = server.Services.GetRequiredService<IStorageProvider>();
        await using (var write = await provider.OpenForWriteAsync(CancellationToken.None))
        {
            await write.Connection.ExecuteAsync(
                "UPDATE knowledge_chunks SET embedding_model = 'old-model' WHERE document_id = @Id",
                new { Id = document.Id() }
            );
            await write.Connection.ExecuteAsync(
                "UPDATE memory_entries SET embedding_model = 'old-model' WHERE adventure_id = @Id",
                new { Id = setup.AdventureId }
            );
            await write.Connection.ExecuteAsync(
                "UPDATE memory_generations SET indexed_model = 'old-model' WHERE adventure_id = @Id",
                new { Id = setup.AdventureId }
            );
        }
        var stale = await (
            await client.GetAsync($"/api/v1/worlds/{setup.WorldId}/documents/{document.Id()}")
        ).JsonAsync();
        Assert.False(stale.GetProperty("index").GetProperty("ready").GetBoolean());

        var sweep = server
            .Services.GetServices<Microsoft.Extensions.Hosting.IHostedService>()
            .OfType<EmbeddingsWarmupService>()
            .Single();
        await sweep.Swept;
        Assert.True(await sweep.SweepAsync(CancellationToken.None) >= 2);

        await ReadyAsync(client, setup.WorldId, document.Id());
        await Poll.UntilAsync(
            async () =>
            {
                await using var connection = await provider.OpenAsync(CancellationToken.None);
                return await connection.ExecuteScalarAsync<long>(
                        "SELECT COUNT(*) FROM memory_entries WHERE adventure_id = @Id AND embedding_model = @Model",
                        new { Id = setup.AdventureId, Model = LocalEmbeddingModel.Name }
                    ) > 0;
            },
            "The adventure's memories were not embedded again with the configured model."
        );
    }

    private static async Task<JsonElement> UploadAsync(
        HttpClient client,
        string world,
        string text,
        string mediaType,
        string fileName
    ) => await UploadBytesAsync(client, world, Encoding.UTF8.GetBytes(text), mediaType, fileName);

    private static async Task<JsonElement> UploadBytesAsync(
        HttpClient client,
        string world,
        byte[] content,
        string mediaType,
        string fileName
    ) => await (await PostRawAsync(client, world, content, mediaType, fileName)).JsonAsync(HttpStatusCode.Created);

    private static async Task<HttpResponseMessage> PostRawAsync(
        HttpClient client,
        string world,
        byte[] content,
        string mediaType,
        string fileName
    )
    {
        var body = new ByteArrayContent(content);
        body.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        body.Headers.ContentDisposition = new ContentDispositionHeaderValue("attachment") { FileName = fileName };
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/worlds/{world}/documents")
        {
            Content = body,
        };
        // As in BadInputTests: wait for 100-continue so the client does not race the server's early 413 and close.
        request.Headers.ExpectContinue = true;
        return await client.SendAsync(request);
    }

    /// <summary>Waits until every passage of the document has a vector of the configured model (the index job and,
    /// the first time in a process, the model's load).</summary>
    public static async Task ReadyAsync(HttpClient client, string world, string id) =>
        await Poll.UntilAsync(
            async () => await (await client.GetAsync($"/api/v1/worlds/{world}/documents/{id}")).JsonAsync(),
            d => d.GetProperty("index").GetProperty("ready").GetBoolean(),
            d => "The document was not embedded: " + d.GetProperty("index"),
            TimeSpan.FromSeconds(120)
        );
}

[Collection(KnowledgeSqliteCollection.Name)]
public sealed class KnowledgeApiTests_Sqlite(KnowledgeSqliteFixture server) : KnowledgeApiTests(server);

[Collection(KnowledgePostgresCollection.Name)]
public sealed class KnowledgeApiTests_Postgres(KnowledgePostgresFixture server) : KnowledgeApiTests(server);

[CollectionDefinition(Name)]
public sealed class KnowledgeSqliteCollection : ICollectionFixture<KnowledgeSqliteFixture>
{
    public const string Name = "knowledge-sqlite";
}

[CollectionDefinition(Name)]
public sealed class KnowledgePostgresCollection : ICollectionFixture<KnowledgePostgresFixture>
{
    public const string Name = "knowledge-postgres";
}
