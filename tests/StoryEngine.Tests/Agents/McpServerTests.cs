using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using StoryEngine.Tests.Api;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Agents;

/// <summary>
/// The MCP server at /mcp (issue 22), driven by the official C# MCP client over streamable HTTP: initialize, list
/// tools, play a turn with progress notifications, and the API's scopes enforced as tool errors.
/// </summary>
public abstract class McpServerTests(ServerFixture server)
{
    [Fact]
    public async Task a_client_with_a_play_key_lists_the_tools_and_plays_a_turn_with_progress()
    {
        using var owner = await server.CreateAccountAsync();
        var setup = await AdventureTestData.CreateAsync(owner.Client);
        await using var client = await ConnectAsync(await KeyAsync(owner.Client, "read", "play"));

        Assert.Equal("storyengine", client.ServerInfo!.Name);
        var tools = (await client.ListToolsAsync()).Select(t => t.Name).ToArray();
        Assert.Contains("list_worlds", tools);
        Assert.Contains("take_turn", tools);
        Assert.Contains("search_lore", tools);
        Assert.DoesNotContain("propose_state_update", tools); // the narrator's alone

        var progress = new Collected();
        var result = await client.CallToolAsync(
            "take_turn",
            new Dictionary<string, object?>
            {
                ["adventureId"] = setup.AdventureId,
                ["kind"] = "do",
                ["text"] = "I open the door {{tokens:5}}",
            },
            progress
        );
        Assert.NotEqual(true, result.IsError);
        var turn = JsonDocument.Parse(Text(result)).RootElement;
        Assert.StartsWith("Narration of '[Action] I open the door", turn.Str("narration"), StringComparison.Ordinal);
        Assert.Equal(1, turn.GetProperty("number").GetInt32());
        await Poll.UntilAsync(() => progress.Items.Count == 5, "five progress notifications, one per token");
        Assert.Equal(
            turn.Str("narration"),
            string.Concat(progress.Items.OrderBy(p => p.Progress).Select(p => p.Message))
        );

        // The turn is the API's turn: the same story log.
        var adventure = await owner.Client.GetFromJsonAsync<JsonElement>($"/api/v1/adventures/{setup.AdventureId}");
        Assert.Equal(1, adventure.GetProperty("turnCount").GetInt32());
    }

    [Fact]
    public async Task a_read_only_key_is_refused_take_turn_with_a_tool_error_and_no_turn_is_taken()
    {
        using var owner = await server.CreateAccountAsync();
        var setup = await AdventureTestData.CreateAsync(owner.Client);
        await using var client = await ConnectAsync(await KeyAsync(owner.Client, "read"));

        var result = await client.CallToolAsync(
            "take_turn",
            new Dictionary<string, object?>
            {
                ["adventureId"] = setup.AdventureId,
                ["kind"] = "do",
                ["text"] = "I steal the boat",
            }
        );
        Assert.True(result.IsError);
        var error = JsonDocument.Parse(Text(result)).RootElement;
        Assert.Equal("insufficient_scope", error.Str("error"));
        Assert.Contains("'play'", error.Str("message"), StringComparison.Ordinal);
        var adventure = await owner.Client.GetFromJsonAsync<JsonElement>($"/api/v1/adventures/{setup.AdventureId}");
        Assert.Equal(0, adventure.GetProperty("turnCount").GetInt32());

        // Reading still works with the same key.
        var worlds = await client.CallToolAsync("list_worlds", new Dictionary<string, object?>());
        Assert.NotEqual(true, worlds.IsError);
        Assert.Contains(setup.WorldId, Text(worlds), StringComparison.Ordinal);
    }

    [Fact]
    public async Task mcp_without_a_key_is_unauthorised_and_with_a_revoked_key_too()
    {
        using var anonymous = server.CreateClient();
        var initialize = new
        {
            jsonrpc = "2.0",
            id = 1,
            method = "initialize",
            @params = new
            {
                protocolVersion = "2025-06-18",
                capabilities = new { },
                clientInfo = new { name = "test", version = "1" },
            },
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/mcp")
        {
            Content = JsonContent.Create(initialize),
        };
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.Accept.ParseAdd("text/event-stream");
        var response = await anonymous.SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);

        await Assert.ThrowsAnyAsync<Exception>(async () =>
            await ConnectAsync("se_aaaaaaaaaaaa_" + new string('x', 43))
        );
    }

    [Fact]
    public async Task tools_errors_of_the_domain_come_back_as_tool_errors_with_their_codes()
    {
        using var owner = await server.CreateAccountAsync();
        await using var client = await ConnectAsync(await KeyAsync(owner.Client, "read", "play"));

        var missing = await client.CallToolAsync("get_world", new Dictionary<string, object?> { ["worldId"] = "nope" });
        Assert.True(missing.IsError);
        Assert.Equal("not_found", JsonDocument.Parse(Text(missing)).RootElement.Str("error"));

        var invalid = await client.CallToolAsync("get_world", new Dictionary<string, object?>());
        Assert.True(invalid.IsError);
        Assert.Equal("validation_failed", JsonDocument.Parse(Text(invalid)).RootElement.Str("error"));

        var unknown = await client.CallToolAsync("summon_dragon", new Dictionary<string, object?>());
        Assert.True(unknown.IsError);
        Assert.Equal("unknown_tool", JsonDocument.Parse(Text(unknown)).RootElement.Str("error"));
    }

    [Fact]
    public async Task start_adventure_search_lore_and_get_state_work_through_tools()
    {
        using var owner = await server.CreateAccountAsync();
        var setup = await AdventureTestData.CreateAsync(owner.Client);
        await owner.Client.PostJsonAsync(
            $"/api/v1/worlds/{setup.WorldId}/lorebooks",
            new
            {
                name = "Harbour lore",
                entries = new object[]
                {
                    new
                    {
                        id = 0,
                        name = "The lighthouse",
                        keys = new[] { "lighthouse" },
                        content = "The lighthouse of Saltmere has been dark for ten years.",
                    },
                    new
                    {
                        id = 1,
                        name = "The fish market",
                        keys = new[] { "market" },
                        content = "Herring and gossip.",
                    },
                },
            }
        );
        await using var client = await ConnectAsync(await KeyAsync(owner.Client, "read", "play"));

        var started = await client.CallToolAsync(
            "start_adventure",
            new Dictionary<string, object?>
            {
                ["worldId"] = setup.WorldId,
                ["title"] = "Fog run",
                ["opening"] = "Fog.",
            }
        );
        Assert.NotEqual(true, started.IsError);
        var adventure = JsonDocument.Parse(Text(started)).RootElement;
        Assert.Equal("Fog run", adventure.Str("title"));
        Assert.Equal("Fog.", adventure.Str("opening"));

        var lore = await client.CallToolAsync(
            "search_lore",
            new Dictionary<string, object?>
            {
                ["adventureId"] = adventure.Str("adventureId"),
                ["query"] = "the old lighthouse",
            }
        );
        var entries = JsonDocument.Parse(Text(lore)).RootElement.GetProperty("entries");
        Assert.Equal("The lighthouse", entries[0].Str("name"));
        Assert.Equal(1, entries.GetArrayLength());

        var rolled = await client.CallToolAsync(
            "roll_dice",
            new Dictionary<string, object?>
            {
                ["adventureId"] = adventure.Str("adventureId"),
                ["expression"] = "2d6+1",
                ["reason"] = "the rope holds",
            }
        );
        Assert.NotEqual(true, rolled.IsError);
        var roll = JsonDocument.Parse(Text(rolled)).RootElement;
        Assert.Equal("2d6+1", roll.Str("expression"));
        Assert.InRange(roll.GetProperty("total").GetInt32(), 3, 13);
        var rolls = await owner.Client.GetFromJsonAsync<JsonElement>(
            $"/api/v1/adventures/{adventure.Str("adventureId")}/rolls"
        );
        Assert.Equal(roll.Str("rollId"), rolls.GetProperty("items")[0].Id());

        var state = await client.CallToolAsync(
            "get_state",
            new Dictionary<string, object?> { ["adventureId"] = adventure.Str("adventureId") }
        );
        Assert.NotEqual(true, state.IsError);
        Assert.True(
            JsonDocument.Parse(Text(state)).RootElement.GetProperty("state").TryGetProperty("characters", out _)
        );
    }

    [Fact]
    public async Task resources_and_prompts_show_worlds_characters_and_transcripts()
    {
        using var owner = await server.CreateAccountAsync();
        var setup = await AdventureTestData.CreateAsync(owner.Client, opening: "The fog rolls in.");
        await using var client = await ConnectAsync(await KeyAsync(owner.Client, "read"));

        var resources = await client.ListResourcesAsync();
        Assert.Contains(resources, r => r.Uri == $"storyengine://worlds/{setup.WorldId}" && r.Name == "Saltmere");
        var templates = await client.ListResourceTemplatesAsync();
        Assert.Contains(templates, t => t.UriTemplate == "storyengine://adventures/{adventureId}/transcript");

        var world = await client.ReadResourceAsync($"storyengine://worlds/{setup.WorldId}");
        var worldJson = JsonDocument.Parse(((TextResourceContents)world.Contents[0]).Text).RootElement;
        Assert.Equal("Saltmere", worldJson.Str("name"));
        Assert.Equal("Maren", worldJson.GetProperty("characters")[0].Str("name"));

        var transcript = await client.ReadResourceAsync($"storyengine://adventures/{setup.AdventureId}/transcript");
        Assert.Contains(
            "The fog rolls in.",
            ((TextResourceContents)transcript.Contents[0]).Text,
            StringComparison.Ordinal
        );

        var prompts = await client.ListPromptsAsync();
        Assert.Equal(
            ["continue_my_story", "create_a_character"],
            prompts.Select(p => p.Name).Order(StringComparer.Ordinal)
        );
        var prompt = await client.GetPromptAsync(
            "continue_my_story",
            new Dictionary<string, object?> { ["adventureId"] = setup.AdventureId }
        );
        var text = ((TextContentBlock)prompt.Messages[0].Content).Text;
        Assert.Contains("The fog rolls in.", text, StringComparison.Ordinal);
        Assert.Contains("take_turn", text, StringComparison.Ordinal);

        await Assert.ThrowsAsync<McpProtocolException>(async () =>
            await client.ReadResourceAsync("storyengine://adventures/someone-elses/transcript")
        );
    }

    private async Task<McpClient> ConnectAsync(string key) =>
        await McpClient.CreateAsync(
            new HttpClientTransport(
                new HttpClientTransportOptions
                {
                    Endpoint = new Uri(server.BaseAddress, "/mcp"),
                    AdditionalHeaders = new Dictionary<string, string> { ["Authorization"] = "Bearer " + key },
                }
            )
        );

    internal static async Task<string> KeyAsync(HttpClient owner, params string[] scopes) =>
        (await owner.PostJsonAsync("/api/v1/me/api-keys", new { name = "mcp client", scopes })).Str("key");

    internal static string Text(CallToolResult result) => ((TextContentBlock)result.Content[0]).Text;

    internal sealed class Collected : IProgress<ProgressNotificationValue>
    {
        public ConcurrentQueue<ProgressNotificationValue> Queue { get; } = new();

        public IReadOnlyList<ProgressNotificationValue> Items => [.. Queue];

        public void Report(ProgressNotificationValue value) => Queue.Enqueue(value);
    }
}

[Collection(SqliteCollection.Name)]
public sealed class McpServerTests_Sqlite(SqliteServerFixture server) : McpServerTests(server);

[Collection(PostgresCollection.Name)]
public sealed class McpServerTests_Postgres(PostgresServerFixture server) : McpServerTests(server);
