using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.AI;
using StoryEngine.Providers.Tests.Fakes;

namespace StoryEngine.Providers.Tests.Adapters;

/// <summary>
/// Anthropic tool use (issue 22) through the official SDK's IChatClient: the narrator's tools go out as Messages API
/// <c>tools</c> (name, description, input_schema), a streamed <c>tool_use</c> block comes back as a function call, and
/// its result goes back as a <c>tool_result</c> block in a user message, as the API documents.
/// </summary>
public sealed class AnthropicToolUseWireTests
{
    private static string Event(string name, object data) =>
        $"event: {name}\ndata: {JsonSerializer.Serialize(data)}\n\n";

    /// <summary>A streamed reply that asks for one tool call with the given JSON arguments, in two
    /// pieces.</summary>
    private static Scenario ToolUse(string tool, string argumentsJson) =>
        async (context, _, _) =>
        {
            context.Response.ContentType = "text/event-stream";
            var half = argumentsJson.Length / 2;
            string[] frames =
            [
                Event(
                    "message_start",
                    new
                    {
                        type = "message_start",
                        message = new
                        {
                            id = "msg_tool",
                            type = "message",
                            role = "assistant",
                            content = Array.Empty<object>(),
                            model = Scenarios.Model,
                            stop_reason = (string?)null,
                            stop_sequence = (string?)null,
                            usage = new { input_tokens = 30, output_tokens = 1 },
                        },
                    }
                ),
                Event(
                    "content_block_start",
                    new
                    {
                        type = "content_block_start",
                        index = 0,
                        content_block = new
                        {
                            type = "tool_use",
                            id = "toolu_01",
                            name = tool,
                            input = new { },
                        },
                    }
                ),
                Event(
                    "content_block_delta",
                    new
                    {
                        type = "content_block_delta",
                        index = 0,
                        delta = new { type = "input_json_delta", partial_json = argumentsJson[..half] },
                    }
                ),
                Event(
                    "content_block_delta",
                    new
                    {
                        type = "content_block_delta",
                        index = 0,
                        delta = new { type = "input_json_delta", partial_json = argumentsJson[half..] },
                    }
                ),
                Event("content_block_stop", new { type = "content_block_stop", index = 0 }),
                Event(
                    "message_delta",
                    new
                    {
                        type = "message_delta",
                        delta = new { stop_reason = "tool_use", stop_sequence = (string?)null },
                        usage = new { output_tokens = 12 },
                    }
                ),
                Event("message_stop", new { type = "message_stop" }),
            ];
            foreach (var frame in frames)
            {
                await context.Response.WriteAsync(frame);
                await context.Response.Body.FlushAsync();
            }
        };

    [Fact]
    public async Task tools_go_out_as_the_apis_tools_and_a_tool_use_block_comes_back_as_a_function_call()
    {
        await using var server = await FakeBackend.StartAsync(
            Dialect.Anthropic,
            ToolUse("search_lore", """{"query":"the lighthouse"}"""),
            Scenarios.Answer("The keeper", " lit it.")
        );
        using var client = Clients.For(server.Options());
        var searchLore = AIFunctionFactory.Create(
            (string query) => "The lighthouse burns whale oil.",
            "search_lore",
            "Look up lore entries by words."
        );
        var messages = Clients.Story();
        var options = new ChatOptions { Tools = [searchLore] };

        var (updates, error) = await Clients.DrainAsync(client.GetStreamingResponseAsync(messages, options));

        Assert.Null(error);
        var tools = server.LastChatRequest.Json.GetProperty("tools");
        var declared = Assert.Single(tools.EnumerateArray());
        Assert.Equal("search_lore", declared.GetProperty("name").GetString());
        Assert.Equal("Look up lore entries by words.", declared.GetProperty("description").GetString());
        Assert.Equal(
            "string",
            declared
                .GetProperty("input_schema")
                .GetProperty("properties")
                .GetProperty("query")
                .GetProperty("type")
                .GetString()
        );
        var call = Assert.Single(updates.SelectMany(u => u.Contents).OfType<FunctionCallContent>());
        Assert.Equal("search_lore", call.Name);
        Assert.Equal("toolu_01", call.CallId);
        Assert.Equal("the lighthouse", call.Arguments!["query"]?.ToString());

        // The result goes back in the next request as a tool_result block answering the tool_use.
        messages.Add(new ChatMessage(ChatRole.Assistant, [call]));
        messages.Add(
            new ChatMessage(ChatRole.Tool, [new FunctionResultContent(call.CallId, "The lighthouse burns whale oil.")])
        );
        var (answer, secondError) = await Clients.DrainAsync(client.GetStreamingResponseAsync(messages, options));
        Assert.Null(secondError);
        Assert.Equal("The keeper lit it.", Clients.Text(answer));
        var sent = server.LastChatRequest.Json.GetProperty("messages").EnumerateArray().ToArray();
        var toolUse = sent[^2].GetProperty("content").EnumerateArray().Single();
        Assert.Equal("assistant", sent[^2].GetProperty("role").GetString());
        Assert.Equal("tool_use", toolUse.GetProperty("type").GetString());
        Assert.Equal("toolu_01", toolUse.GetProperty("id").GetString());
        var result = sent[^1].GetProperty("content").EnumerateArray().Single();
        Assert.Equal("user", sent[^1].GetProperty("role").GetString());
        Assert.Equal("tool_result", result.GetProperty("type").GetString());
        Assert.Equal("toolu_01", result.GetProperty("tool_use_id").GetString());
        Assert.Contains("whale oil", result.GetRawText(), StringComparison.Ordinal);
    }
}
