using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;

namespace StoryEngine.Tests.Infrastructure;

/// <summary>
/// Tool calls (issue 22). When a request offers <c>tools</c> and the newest user message holds
/// <c>{{call:NAME}}</c> directives (or <c>{{calls:NAME:N}}</c> for N in a row), the backend answers each round with the
/// next call, in OpenAI's streamed <c>tool_calls</c> form, until every call has a tool result in the conversation; then
/// it narrates as usual. Arguments are fixed per name (<see cref="ToolArguments"/>); <c>propose_invalid</c> sends
/// propose_state_update a change that names someone who is not in the story.
/// </summary>
public sealed partial class ScriptedBackend
{
    public static readonly IReadOnlyDictionary<string, (string Tool, string Arguments)> ToolArguments = new Dictionary<
        string,
        (string, string)
    >
    {
        ["search_lore"] = ("search_lore", """{"query":"the lighthouse"}"""),
        ["recall_memory"] = ("recall_memory", """{"query":"door"}"""),
        ["get_state"] = ("get_state", "{}"),
        ["propose_state_update"] = (
            "propose_state_update",
            """
            {"timeOfDay":"dusk","newCharacters":[],"characters":[{"name":"Maren","location":"the pier"}],"quests":[]}
            """
        ),
        ["propose_invalid"] = (
            "propose_state_update",
            """
            {"timeOfDay":null,"newCharacters":[],"characters":[{"name":"Nobody Known","location":"x"}],"quests":[]}
            """
        ),
        ["roll_dice"] = ("roll_dice", """{"expression":"1d20"}"""),
        // Tabletop play (issue 23).
        ["roll"] = ("roll", """{"expression":"2d6+1","reason":"the rope holds"}"""),
        ["request_check"] = (
            "request_check",
            """{"skill":"stealth","dc":15,"reason":"slipping past the guard","character":"Ada"}"""
        ),
    };

    /// <summary>The next tool call this request should get, or null to narrate.</summary>
    private static (string Tool, string Arguments)? NextToolCall(JsonObject request, string lastUserText)
    {
        if (request["tools"] is not JsonArray { Count: > 0 })
        {
            return null;
        }
        var calls = new List<string>();
        foreach (Match match in CallDirective().Matches(lastUserText))
        {
            var count = match.Groups[2].Success
                ? int.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture)
                : 1;
            calls.AddRange(Enumerable.Repeat(match.Groups[1].Value, count));
        }
        var answered = request["messages"]!.AsArray().Count(m => m!["role"]!.GetValue<string>() == "tool");
        return answered < calls.Count ? ToolArguments[calls[answered]] : null;
    }

    private static async Task StreamToolCallAsync(HttpContext context, (string Tool, string Arguments) call, int index)
    {
        context.Response.ContentType = "text/event-stream";
        var id = "chatcmpl-" + Guid.NewGuid().ToString("N")[..8];
        var delta = new JsonObject
        {
            ["role"] = "assistant",
            ["tool_calls"] = new JsonArray(
                new JsonObject
                {
                    ["index"] = 0,
                    ["id"] = $"call_{index}",
                    ["type"] = "function",
                    ["function"] = new JsonObject { ["name"] = call.Tool, ["arguments"] = call.Arguments },
                }
            ),
        };
        await WriteAsync(context, Chunk(id, delta, null));
        await WriteAsync(context, Chunk(id, new { }, "tool_calls"));
        await WriteAsync(
            context,
            JsonSerializer.Serialize(
                new
                {
                    id,
                    @object = "chat.completion.chunk",
                    created = 1,
                    model = "scripted-1",
                    choices = Array.Empty<object>(),
                    usage = new
                    {
                        prompt_tokens = 100,
                        completion_tokens = 10,
                        total_tokens = 110,
                    },
                }
            )
        );
        await context.Response.WriteAsync("data: [DONE]\n\n");
    }

    [GeneratedRegex(@"\{\{calls?:([a-z_]+)(?::(\d+))?\}\}")]
    private static partial Regex CallDirective();
}
