using System.Text.Json;
using System.Text.Json.Nodes;
using StoryEngine.Tests.Api;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Memory;

/// <summary>Turns and lookups the memory tests share.</summary>
public static class MemoryTestData
{
    public const string Fact = "I hide the brass key under the loose floorboard of the lighthouse";

    /// <summary>Turns about nothing in particular, long enough that a dozen push the early turns out of the
    /// prompt.</summary>
    public static async Task FillerTurnsAsync(HttpClient client, string adventureId, int count, string tag = "quay")
    {
        for (var i = 0; i < count; i++)
        {
            var turn = await AdventureTestData.TakeTurnAsync(
                client,
                adventureId,
                $"I walk along the {tag} and " + $"count the gulls, round {i} {{{{tokens:20}}}}"
            );
            Assert.Equal("completed", turn.Str("status"));
        }
    }

    /// <summary>The narration request the backend received for the turn whose action is <paramref
    /// name="action"/>.</summary>
    public static async Task<JsonArray> NarrationMessagesAsync(string action)
    {
        var backend = await ScriptedBackend.InstanceAsync();
        var request = backend.Requests.Last(r =>
            Content(r["messages"]!.AsArray().Last()!).Contains(action, StringComparison.Ordinal)
        );
        return request["messages"]!.AsArray();
    }

    public static string Content(JsonNode message) =>
        message["content"] is JsonValue text
            ? text.GetValue<string>()
            : string.Concat(message["content"]!.AsArray().Select(p => p!["text"]?.GetValue<string>()));

    public static string? RecalledMessage(JsonArray messages) =>
        messages
            .Select(m => Content(m!))
            .FirstOrDefault(c => c.StartsWith("[Recalled memories", StringComparison.Ordinal));

    public static async Task<JsonElement> ContextAsync(HttpClient client, string adventureId, string turnId) =>
        await (await client.GetAsync($"/api/v1/adventures/{adventureId}/turns/{turnId}/context")).JsonAsync();

    /// <summary>A full-text query that matches and weighs the same words.</summary>
    public static Core.Memory.TextQuery Words(IReadOnlyList<string> words) => new(words, words);

    public static JsonElement[] Recalled(JsonElement context) =>
        [.. context.GetProperty("memory").GetProperty("recalled").EnumerateArray()];
}
