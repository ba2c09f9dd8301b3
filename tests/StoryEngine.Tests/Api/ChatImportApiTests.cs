using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using StoryEngine.Core.Jobs;
using StoryEngine.Core.Memory;
using StoryEngine.Core.State;
using StoryEngine.Tests.Infrastructure;
using StoryEngine.Tests.Web;

namespace StoryEngine.Tests.Api;

/// <summary>
/// Chats from SillyTavern and TavernAI through <c>POST /api/v1/adventures/import</c>, then played on here.
/// </summary>
public abstract class ChatImportApiTests(ServerFixture server)
{
    private readonly string _marker = "ci" + Guid.NewGuid().ToString("N")[..10];

    public static TheoryData<string> Chats() => new(SharedFixtures.In("chats"));

    /// <summary>
    /// A SillyTavern chat with every case the mapping has: swipes, a hidden message, replies in a row.
    /// </summary>
    private string Chat() =>
        string.Join(
            "\n",
            """{"user_name":"Wren","character_name":"Maren","create_date":"2024-05-01T10:00:00Z","chat_metadata":{}}""",
            """{"name":"Maren","mes":"Shut the door.","swipes":["Close it!","Shut the door."],"swipe_id":1}""",
            $$"""{"name":"Wren","is_user":true,"mes":"Sorry {{_marker}}-one"}""",
            """{"name":"Maren","mes":"*grunts* Sit.","swipes":["Sit.","*grunts* Sit.","Out."],"swipe_id":1}""",
            """{"name":"System","is_user":false,"is_system":true,"mes":"(hidden note)"}""",
            """{"name":"Maren","is_user":false,"mes":"The fog thickens."}""",
            $$"""{"name":"Wren","is_user":true,"mes":"*sits down* \"Fine.\" {{_marker}}-two"}""",
            """{"name":"Maren","is_user":false,"mes":"*pours tea*"}""",
            ""
        );

    [Theory]
    [MemberData(nameof(Chats))]
    public async Task every_fixture_chat_imports_with_its_greeting_as_the_opening(string fixture)
    {
        using var client = await server.CreateUserClientAsync();
        var world = (await client.PostJsonAsync("/api/v1/worlds", new { name = "Axel" })).Id();
        var adventure = await (
            await ImportAsync(client, SharedFixtures.Read(fixture), Path.GetFileName(fixture), world)
        ).JsonAsync(HttpStatusCode.Created);

        var name = fixture.Contains("Aqua", StringComparison.Ordinal) ? "Aqua" : "Megumin";
        Assert.StartsWith($"{name} — imported chat", adventure.Str("title"), StringComparison.Ordinal);
        Assert.Equal(0, adventure.GetProperty("turnCount").GetInt32());
        var opening = Assert.Single(await TurnsAsync(client, adventure.Id()));
        Assert.Equal("opening", opening.Str("kind"));
        var greeting = fixture.Contains("Aqua", StringComparison.Ordinal)
            ? "*I am in the town square"
            : "*It was day, the weather";
        Assert.StartsWith(greeting, opening.Str("narration"), StringComparison.Ordinal);
        Assert.DoesNotContain($"{name}: ", opening.Str("narration"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task a_chat_becomes_turns_with_swipes_as_alternatives_and_the_story_continues_here()
    {
        var backend = await ScriptedBackend.InstanceAsync();
        using var client = await server.CreateUserClientAsync();
        var setup = await AdventureTestData.CreateAsync(client);
        var adventure = await (
            await ImportAsync(
                client,
                Encoding.UTF8.GetBytes(Chat()),
                "Maren - 2024.jsonl",
                setup.WorldId,
                setup.CharacterId,
                setup.PersonaId
            )
        ).JsonAsync(HttpStatusCode.Created);
        Assert.Equal(3, adventure.GetProperty("turnCount").GetInt32());
        Assert.Equal(setup.PersonaId, adventure.Str("personaId"));
        Assert.Equal(
            [setup.CharacterId],
            adventure.GetProperty("characterIds").EnumerateArray().Select(c => c.GetString())
        );

        var turns = await TurnsAsync(client, adventure.Id());
        Assert.Equal(["opening", "say", "continue", "do"], turns.Select(t => t.Str("kind")));
        Assert.Equal(["Close it!", "Shut the door."], Alternatives(turns[0]));
        Assert.Equal(1, turns[0].GetProperty("chosen").GetInt32());
        Assert.Equal("Shut the door.", turns[0].Str("narration"));

        Assert.Equal($"Sorry {_marker}-one", turns[1].Str("playerText"));
        Assert.Equal(["Sit.", "*grunts* Sit.", "Out."], Alternatives(turns[1]));
        Assert.Equal(1, turns[1].GetProperty("chosen").GetInt32());
        Assert.Equal("*grunts* Sit.", turns[1].Str("narration"));
        Assert.Equal("import", turns[1].GetProperty("alternatives")[0].Str("backend"));

        Assert.Equal("", turns[2].Str("playerText")); // the hidden system message is left out, not a turn
        Assert.Equal("The fog thickens.", turns[2].Str("narration"));
        Assert.Equal($"*sits down* \"Fine.\" {_marker}-two", turns[3].Str("playerText"));
        Assert.Equal("*pours tea*", turns[3].Str("narration"));
        Assert.All(turns, t => Assert.Equal("completed", t.Str("status")));

        var events = (await (await client.GetAsync($"/api/v1/adventures/{adventure.Id()}/events")).JsonAsync())
            .GetProperty("items")
            .EnumerateArray()
            .ToList();
        var imported = events.Single(e => e.Str("type") == "ChatImported").GetProperty("payload");
        Assert.Equal("sillytavern", imported.Str("format"));
        Assert.Equal("Maren - 2024.jsonl", imported.Str("fileName"));
        Assert.Equal(1, imported.GetProperty("skippedMessages").GetInt32());

        // A turn taken now is narrated with the imported history in the prompt, the chosen swipes and not the others.
        var turn = await AdventureTestData.TakeTurnAsync(client, adventure.Id(), $"{_marker}-three: I drink the tea");
        Assert.Equal(4, turn.GetProperty("number").GetInt32());
        Assert.Equal("completed", turn.Str("status"));
        var request = backend
            .RequestsContaining($"{_marker}-three")
            .Single(r => r["response_format"] is null && r["format"] is null);
        var prompt = request["messages"]!.ToJsonString();
        foreach (
            var part in new[]
            {
                "Shut the door.",
                $"Sorry {_marker}-one",
                "*grunts* Sit.",
                "The fog thickens.",
                "*pours tea*",
            }
        )
        {
            Assert.Contains(JsonSerializer.Serialize(part)[1..^1], prompt, StringComparison.Ordinal);
        }
        Assert.DoesNotContain("Close it!", prompt, StringComparison.Ordinal);
        Assert.DoesNotContain("hidden note", prompt, StringComparison.Ordinal);
    }

    /// <summary>
    /// Issue 17: an import queues what played turns queue, batched: one recall index, one summary of what is more
    /// than a chunk old, one world-state reading of the newest turns; run, recall finds the imported text.
    /// </summary>
    [Fact]
    public async Task an_imported_chat_is_indexed_summarised_and_read_for_state_so_recall_finds_its_text()
    {
        using var client = await server.CreateUserClientAsync();
        var setup = await AdventureTestData.CreateAsync(client);
        var lines = new List<string>
        {
            """{"user_name":"Wren","character_name":"Maren","create_date":"2024-05-01T10:00:00Z","chat_metadata":{}}""",
            """{"name":"Maren","mes":"The lamp room is cold."}""",
        };
        for (var i = 1; i <= 10; i++)
        {
            lines.Add($$"""{"name":"Wren","is_user":true,"mes":"I look around {{_marker}}look{{i}}"}""");
            lines.Add($$"""{"name":"Maren","mes":"You see the {{_marker}}sight{{i}} by the window."}""");
        }
        var adventure = await (
            await ImportAsync(client, Encoding.UTF8.GetBytes(string.Join("\n", lines)), "long.jsonl", setup.WorldId)
        ).JsonAsync(HttpStatusCode.Created);
        var id = adventure.Id();

        var jobs = (
            await server
                .Services.GetRequiredService<IJobStore>()
                .ListAsync(new JobListQuery(null, id, null, 200, null), default)
        ).ToArray();
        Assert.Single(jobs, j => j.Type == MemoryIndexJob.JobType);
        var summary = Assert.Single(jobs, j => j.Type == SummaryJob.JobType);
        Assert.Equal(
            10 - new SummaryOptions().ChunkTurns,
            JsonDocument.Parse(summary.Payload).RootElement.GetProperty("throughTurn").GetInt32()
        );
        var state = Assert.Single(jobs, j => j.Type == StateExtractionJob.JobType); // one for the chat, not one a turn
        Assert.Equal(
            Math.Max(0, 10 - StateExtractionJob.MaxPassageTurns + 1),
            JsonDocument.Parse(state.Payload).RootElement.GetProperty("fromTurn").GetInt32()
        );

        foreach (var type in new[] { MemoryIndexJob.JobType, SummaryJob.JobType, StateExtractionJob.JobType })
        {
            await ServerUnderTest.WaitAsync(server, id, type);
        }
        jobs = (
            await server
                .Services.GetRequiredService<IJobStore>()
                .ListAsync(new JobListQuery(null, id, null, 200, null), default)
        ).ToArray();
        Assert.All(jobs, j => Assert.Equal(JobStates.Succeeded, j.State));
        // The state was read from the chat's turns together, in one request (two if the first answer was unusable).
        var stateReads = (await ScriptedBackend.InstanceAsync()).StructuredRequestsContaining($"{_marker}sight10");
        Assert.InRange(stateReads.Count, 1, StateExtractionJob.MaxAnswers);
        Assert.Contains($"{_marker}sight1 ", stateReads[0]["messages"]!.ToJsonString(), StringComparison.Ordinal);
        var memory = server.Services.GetRequiredService<IMemoryStore>();
        Assert.NotNull(await memory.GetCursorAsync(id, default)); // indexed by the job, not by recall on the spot
        Assert.NotEmpty(await memory.ListSummariesAsync(id, default));

        var owner = (await (await client.GetAsync("/api/v1/me")).JsonAsync()).Id();
        var recall = await server
            .Services.GetRequiredService<MemoryRecall>()
            .RecallAsync(id, owner, 100, $"{_marker}sight3", [], default);
        var found = recall.Candidates.First();
        Assert.Equal(3, found.Turn.Number);
        Assert.NotNull(found.TextRank);
        Assert.Contains($"{_marker}sight3", found.Turn.ChosenNarration.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task a_raw_upload_names_its_world_in_the_query()
    {
        using var client = await server.CreateUserClientAsync();
        var world = (await client.PostJsonAsync("/api/v1/worlds", new { name = "Raw" })).Id();
        using var content = new ByteArrayContent(SharedFixtures.Read("chats/st_tavernai_Megumin_1671472375920.json"));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var adventure = await (
            await client.PostAsync($"/api/v1/adventures/import?worldId={world}&title=Explosions", content)
        ).JsonAsync(HttpStatusCode.Created);
        Assert.Equal("Explosions", adventure.Str("title"));
    }

    public static TheoryData<string, int, string, int?> BadChats() =>
        new()
        {
            { "bad-line-3", 400, "invalid_chat", 3 },
            { "card", 400, "invalid_chat", 1 },
            { "not-a-chat", 400, "invalid_chat", 1 },
            { "blank", 400, "invalid_chat", null },
            { "header-only", 400, "invalid_chat", null },
            { "mes-missing", 400, "invalid_chat", 2 },
            { "swipes-not-text", 400, "invalid_chat", 2 },
            { "second-header", 400, "invalid_chat", 3 },
            { "tavernai-number", 400, "invalid_chat", 2 },
            { "not-utf8", 400, "invalid_chat", null },
            { "too-many", 422, "chat_too_long", null },
            { "too-long", 422, "chat_too_long", null },
            { "empty", 400, "validation_failed", null },
        };

    [Theory]
    [MemberData(nameof(BadChats))]
    public async Task bad_chats_are_refused_with_the_line_and_nothing_is_created(
        string file,
        int status,
        string code,
        int? line
    )
    {
        using var client = await server.CreateUserClientAsync();
        var world = (await client.PostJsonAsync("/api/v1/worlds", new { name = "Careful" })).Id();
        var problem = await (await ImportAsync(client, BadChat(file), file + ".jsonl", world)).AssertProblemAsync(
            (HttpStatusCode)status,
            code
        );
        Assert.False(string.IsNullOrWhiteSpace(problem.Str("detail")));
        if (line is { } expected)
        {
            Assert.Equal(expected, problem.GetProperty("line").GetInt32());
            Assert.Contains($" {expected}", problem.Str("detail"), StringComparison.Ordinal);
        }
        Assert.Equal(
            0,
            (await (await client.GetAsync("/api/v1/adventures")).JsonAsync()).GetProperty("items").GetArrayLength()
        );
    }

    [Fact]
    public async Task an_unknown_world_character_or_persona_is_a_field_error()
    {
        using var client = await server.CreateUserClientAsync();
        var file = SharedFixtures.Read("chats/st_legacy_Aqua_1673181146000.jsonl");
        var problem = await (await ImportAsync(client, file, "aqua.jsonl", null)).AssertProblemAsync(
            HttpStatusCode.BadRequest,
            "validation_failed"
        );
        Assert.True(problem.GetProperty("errors").TryGetProperty("worldId", out _));
        var world = (await client.PostJsonAsync("/api/v1/worlds", new { name = "W" })).Id();
        problem = await (await ImportAsync(client, file, "aqua.jsonl", world, "nobody", "noone")).AssertProblemAsync(
            HttpStatusCode.BadRequest,
            "validation_failed"
        );
        Assert.True(problem.GetProperty("errors").TryGetProperty("characterId", out _));
        Assert.True(problem.GetProperty("errors").TryGetProperty("personaId", out _));
    }

    private static byte[] BadChat(string name)
    {
        const string header = """{"user_name":"You","character_name":"Aqua","create_date":1674559896839}""";
        const string message = """{"name":"Aqua","is_user":false,"mes":"Hello!"}""";
        return name switch
        {
            "bad-line-3" => Encoding.UTF8.GetBytes(
                $"{header}\n{message}\n{{\"name\":\"You\",\"mes\":\"oops\"\n{message}\n"
            ),
            "card" =>
                """
                {
                  "spec": "chara_card_v2",
                  "data": { "name": "Aqua", "first_mes": "Hello!" }
                }
                """u8.ToArray(),
            "not-a-chat" => """{"entries":{"0":{"key":["x"],"content":"y"}}}"""u8.ToArray(),
            "blank" => "\n  \n"u8.ToArray(),
            "header-only" => Encoding.UTF8.GetBytes(header + "\n"),
            "mes-missing" => Encoding.UTF8.GetBytes($"{header}\n{{\"name\":\"Aqua\",\"is_user\":false}}\n"),
            "swipes-not-text" => Encoding.UTF8.GetBytes(
                $"{header}\n{{\"name\":\"Aqua\",\"mes\":\"a\",\"swipes\":[\"a\",3]}}\n"
            ),
            "second-header" => Encoding.UTF8.GetBytes($"{header}\n{message}\n{header}\n"),
            "tavernai-number" => """["Aqua: Hello!", 42]"""u8.ToArray(),
            "not-utf8" => [0xFF, 0xFE, 0x00, 0x7B],
            "too-many" => Encoding.UTF8.GetBytes(
                header + "\n" + string.Concat(Enumerable.Repeat(message + "\n", 10_001))
            ),
            "too-long" => Encoding.UTF8.GetBytes(
                $"{header}\n{{\"name\":\"Aqua\",\"mes\":\"{new string('a', 50_001)}\"}}\n"
            ),
            _ => [],
        };
    }

    internal static async Task<HttpResponseMessage> ImportAsync(
        HttpClient client,
        byte[] file,
        string name,
        string? world,
        string? character = null,
        string? persona = null
    )
    {
        using var form = new MultipartFormDataContent();
        var part = new ByteArrayContent(file);
        part.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(part, "file", name);
        foreach (var (field, value) in new[] { ("worldId", world), ("characterId", character), ("personaId", persona) })
        {
            if (value is not null)
            {
                form.Add(new StringContent(value), field);
            }
        }
        return await client.PostAsync("/api/v1/adventures/import", form);
    }

    private static async Task<List<JsonElement>> TurnsAsync(HttpClient client, string adventureId) =>
        [
            .. (await (await client.GetAsync($"/api/v1/adventures/{adventureId}/turns?limit=100")).JsonAsync())
                .GetProperty("items")
                .EnumerateArray()
                .Reverse(),
        ];

    private static string[] Alternatives(JsonElement turn) =>
        [.. turn.GetProperty("alternatives").EnumerateArray().Select(a => a.Str("text"))];
}

[Collection(SqliteCollection.Name)]
public sealed class ChatImportApiTests_Sqlite(SqliteServerFixture server) : ChatImportApiTests(server);

[Collection(PostgresCollection.Name)]
public sealed class ChatImportApiTests_Postgres(PostgresServerFixture server) : ChatImportApiTests(server);
