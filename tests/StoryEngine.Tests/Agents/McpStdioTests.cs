using System.Net.Http.Json;
using System.Text.Json;
using ModelContextProtocol.Client;
using StoryEngine.Tests.Api;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Agents;

/// <summary>
/// <c>storyengine mcp</c> (issue 22): the real program as a child process on the test server's SQLite data, driven by
/// the official MCP client over stdio, as a desktop client would start it.
/// </summary>
[Collection(SqliteCollection.Name)]
public sealed class McpStdioTests(SqliteServerFixture server)
{
    [Fact]
    public async Task a_desktop_client_over_stdio_lists_tools_plays_a_turn_and_is_held_to_the_keys_scopes()
    {
        using var owner = await server.CreateAccountAsync();
        var setup = await AdventureTestData.CreateAsync(owner.Client);
        var play = await McpServerTests.KeyAsync(owner.Client, "read", "play");

        await using (var client = await StartAsync(play))
        {
            var tools = (await client.ListToolsAsync()).Select(t => t.Name).ToArray();
            Assert.Contains("take_turn", tools);
            Assert.Contains("get_state", tools);

            var progress = new McpServerTests.Collected();
            var result = await client.CallToolAsync(
                "take_turn",
                new Dictionary<string, object?>
                {
                    ["adventureId"] = setup.AdventureId,
                    ["kind"] = "say",
                    ["text"] = "Hello? {{tokens:3}}",
                },
                progress
            );
            Assert.NotEqual(true, result.IsError);
            var turn = JsonDocument.Parse(McpServerTests.Text(result)).RootElement;
            Assert.StartsWith("Narration of", turn.Str("narration"), StringComparison.Ordinal);
            await Poll.UntilAsync(() => progress.Items.Count == 3, "three progress notifications over stdio");
        }

        var read = await McpServerTests.KeyAsync(owner.Client, "read");
        await using (var client = await StartAsync(read))
        {
            var refused = await client.CallToolAsync(
                "take_turn",
                new Dictionary<string, object?>
                {
                    ["adventureId"] = setup.AdventureId,
                    ["kind"] = "do",
                    ["text"] = "I leave",
                }
            );
            Assert.True(refused.IsError);
            Assert.Contains("insufficient_scope", McpServerTests.Text(refused), StringComparison.Ordinal);
        }
        var adventure = await owner.Client.GetFromJsonAsync<JsonElement>($"/api/v1/adventures/{setup.AdventureId}");
        Assert.Equal(1, adventure.GetProperty("turnCount").GetInt32());
    }

    [Fact]
    public async Task mcp_over_stdio_without_a_valid_key_exits_with_a_message()
    {
        var result = await CliProcess.RunAsync([
            "mcp",
            "--data-dir",
            server.DataDir,
            "--api-key",
            "se_aaaaaaaaaaaa_" + new string('x', 43),
        ]);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("API key is unknown", result.Stderr, StringComparison.Ordinal);
        Assert.Equal("", result.Stdout);
    }

    private async Task<McpClient> StartAsync(string key)
    {
        var environment = SignedInServer.Environment(await ScriptedBackend.InstanceAsync());
        environment[McpCommandKeyVariable] = key;
        return await McpClient.CreateAsync(
            new StdioClientTransport(
                new StdioClientTransportOptions
                {
                    Name = "storyengine",
                    Command = "dotnet",
                    Arguments = [CliProcess.ProgramPath, "mcp", "--data-dir", server.DataDir],
                    EnvironmentVariables = environment.ToDictionary(e => e.Key, e => (string?)e.Value),
                }
            )
        );
    }

    private const string McpCommandKeyVariable = StoryEngine.Server.Cli.McpCommand.KeyVariable;
}
