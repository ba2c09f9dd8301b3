using System.Net;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using StoryEngine.Storage;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Api;

/// <summary>
/// Lists return summaries (issue 19): a page of real imported cards carries id, name, tags, the description's opening
/// and timestamps, not every field of every card; <c>?fields=</c> adds named fields, <c>*</c> all of them, and an
/// unknown name is a 400 that names it.
/// </summary>
public abstract class ListSummariesTests(ServerFixture server)
{
    private static readonly string[] SummaryFields =
    [
        "id",
        "worldId",
        "name",
        "tags",
        "description",
        "version",
        "createdAt",
        "updatedAt",
        "avatarUrl",
    ];

    [Fact]
    public async Task a_list_of_imported_cards_carries_summaries_and_fields_adds_what_is_asked_for()
    {
        using var client = await server.CreateUserClientAsync();
        var world = (await client.PostJsonAsync("/api/v1/worlds", new { name = "Card shelf" })).Id();
        foreach (var card in SharedFixtures.In("cards"))
        {
            using var form = new MultipartFormDataContent();
            form.Add(new ByteArrayContent(SharedFixtures.Read(card)), "file", Path.GetFileName(card));
            var imported = await client.PostAsync($"/api/v1/worlds/{world}/characters/import", form);
            await imported.JsonAsync(HttpStatusCode.Created);
        }

        var summaries = await client.GetAsync($"/api/v1/worlds/{world}/characters?limit=50");
        var summaryBytes = (await summaries.Content.ReadAsByteArrayAsync()).Length;
        var page = JsonDocument.Parse(await summaries.Content.ReadAsStringAsync()).RootElement;
        var items = page.GetProperty("items").EnumerateArray().ToArray();
        Assert.Equal(SharedFixtures.In("cards").Count, items.Length);
        foreach (var item in items)
        {
            Assert.Equal(SummaryFields, item.EnumerateObject().Select(p => p.Name));
            Assert.True(item.Str("description").Length <= 201, item.Str("description"));
        }
        // A PNG card's picture is its avatar; the JSON card has none.
        var megumin = items.Single(i =>
            i.Str("name") == "Megumin" && i.GetProperty("avatarUrl").ValueKind == JsonValueKind.Null
        );
        Assert.NotNull(megumin.GetProperty("id").GetString());
        Assert.StartsWith(
            "/api/v1/worlds/",
            items.First(i => i.GetProperty("avatarUrl").ValueKind == JsonValueKind.String).Str("avatarUrl"),
            StringComparison.Ordinal
        );

        var full = await client.GetAsync($"/api/v1/worlds/{world}/characters?limit=50&fields=*");
        var fullBytes = (await full.Content.ReadAsByteArrayAsync()).Length;
        var fullItems = (await full.JsonAsync()).GetProperty("items").EnumerateArray().ToArray();
        Assert.True(summaryBytes * 3 < fullBytes, $"summaries {summaryBytes} bytes, full {fullBytes} bytes");
        var seraphina = fullItems.Single(i => i.Str("name") == "Seraphina");
        var one = await (await client.GetAsync($"/api/v1/worlds/{world}/characters/{seraphina.Id()}")).JsonAsync();
        Assert.Equal(one.GetRawText(), seraphina.GetRawText());
        // A long description is cut at a word with an ellipsis; the full one starts the same way.
        var shortened = items.Single(i => i.Str("name") == "Seraphina").Str("description");
        Assert.EndsWith("…", shortened);
        Assert.StartsWith(shortened.TrimEnd('…'), one.Str("description"), StringComparison.Ordinal);

        var some = await (
            await client.GetAsync($"/api/v1/worlds/{world}/characters?limit=50&fields=personality,firstMessage")
        ).JsonAsync();
        var withFields = some.GetProperty("items").EnumerateArray().Single(i => i.Str("name") == "Seraphina");
        Assert.Equal(
            [.. SummaryFields, "personality", "firstMessage"],
            withFields.EnumerateObject().Select(p => p.Name)
        );
        Assert.Equal(one.Str("firstMessage"), withFields.Str("firstMessage"));
    }

    [Fact]
    public async Task an_unknown_field_is_a_400_naming_it()
    {
        using var client = await server.CreateUserClientAsync();
        var problem = await (await client.GetAsync("/api/v1/worlds?fields=name,colour")).AssertProblemAsync(
            HttpStatusCode.BadRequest,
            "validation_failed"
        );
        Assert.Contains("colour", problem.GetRawText(), StringComparison.Ordinal);
        Assert.Contains("description", problem.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task a_row_saved_before_summaries_existed_is_summarised_from_its_body()
    {
        using var client = await server.CreateUserClientAsync();
        var created = await client.PostJsonAsync(
            "/api/v1/personas",
            new
            {
                name = "Old Ada",
                description = "Written before the summary column.",
                tags = new[] { "Legacy" },
            }
        );
        var provider = server.Services.GetRequiredService<IStorageProvider>();
        await using (var write = await provider.OpenForWriteAsync(CancellationToken.None))
        {
            await write.Connection.ExecuteAsync(
                "UPDATE personas SET summary = NULL WHERE id = @Id",
                new { Id = created.Id() }
            );
        }

        var list = await (await client.GetAsync("/api/v1/personas?q=old%20ada")).JsonAsync();
        var item = list.GetProperty("items").EnumerateArray().Single();
        Assert.Equal("Written before the summary column.", item.Str("description"));
        Assert.Equal(["Legacy"], item.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
    }
}

[Collection(SqliteCollection.Name)]
public sealed class ListSummariesTests_Sqlite(SqliteServerFixture server) : ListSummariesTests(server);

[Collection(PostgresCollection.Name)]
public sealed class ListSummariesTests_Postgres(PostgresServerFixture server) : ListSummariesTests(server);
