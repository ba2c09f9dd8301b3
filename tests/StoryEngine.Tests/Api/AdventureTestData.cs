using System.Net.Http.Json;
using System.Text.Json;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Api;

/// <summary>Builds a world with a character and persona, and an adventure in it, for turn tests.</summary>
public static class AdventureTestData
{
    public sealed record Setup(
        string WorldId,
        string CharacterId,
        string PersonaId,
        string AdventureId,
        JsonElement Adventure
    );

    public static async Task<Setup> CreateAsync(HttpClient client, string? opening = null)
    {
        var world = (
            await client.PostJsonAsync(
                "/api/v1/worlds",
                new
                {
                    name = "Saltmere",
                    description = "A foggy harbour town.",
                    rules = "No guns.",
                }
            )
        ).Id();
        var character = (
            await client.PostJsonAsync(
                $"/api/v1/worlds/{world}/characters",
                new
                {
                    name = "Maren",
                    personality = "Gruff",
                    firstMessage = "Shut the door, you're letting the fog " + "in.",
                }
            )
        ).Id();
        var persona = (
            await client.PostJsonAsync("/api/v1/personas", new { name = "Wren", description = "A cartographer" })
        ).Id();
        var adventure = await client.PostJsonAsync(
            "/api/v1/adventures",
            new
            {
                worldId = world,
                personaId = persona,
                characterIds = new[] { character },
                opening,
            }
        );
        return new Setup(world, character, persona, adventure.Id(), adventure);
    }

    public static HttpRequestMessage Turn(string adventureId, string text, string kind = "do") =>
        new(HttpMethod.Post, $"/api/v1/adventures/{adventureId}/turns")
        {
            Content = JsonContent.Create(new { kind, text }),
        };

    /// <summary>Takes a turn without streaming and returns the stored turn.</summary>
    public static async Task<JsonElement> TakeTurnAsync(
        HttpClient client,
        string adventureId,
        string text,
        string kind = "do"
    ) =>
        await (await client.PostAsJsonAsync($"/api/v1/adventures/{adventureId}/turns", new { kind, text })).JsonAsync();
}
