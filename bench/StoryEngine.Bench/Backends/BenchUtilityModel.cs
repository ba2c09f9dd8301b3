using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;
using StoryEngine.Core.Narration;

namespace StoryEngine.Bench.Backends;

/// <summary>
/// The utility model for 'prefix --state': answers world-state extraction with a small, deterministic change per turn
/// (the player and Maren move, an item now and then, the time of day and a quest every few turns), the way a real
/// model reports a story's bookkeeping, and summaries with a fixed short text. No delay: the measurement is about
/// what the prompt looks like, not how long the model takes.
/// </summary>
internal sealed partial class BenchUtilityModel : IUtilityModel, IChatClient
{
    private static readonly string[] Places =
    [
        "the lamp room",
        "the harbour wall",
        "the oil store",
        "the stair",
        "the quay",
    ];
    private static readonly string[] Times =
    [
        "dusk",
        "night",
        "the small hours",
        "dawn",
        "morning",
        "noon",
        "afternoon",
    ];

    public IChatClient Client => this;

    public Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options = null,
        CancellationToken cancellationToken = default
    )
    {
        var prompt = string.Join("\n", messages.Select(m => m.Text));
        var text = options?.ResponseFormat is ChatResponseFormatJson ? StateChange(TurnOf(prompt)) : Summary(prompt);
        return Task.FromResult(
            new ChatResponse(new ChatMessage(ChatRole.Assistant, text)) { ModelId = "bench-utility" }
        );
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options = null,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default
    )
    {
        var response = await GetResponseAsync(messages, options, cancellationToken);
        foreach (var update in response.ToChatResponseUpdates())
        {
            yield return update;
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose() { }

    // The bench's actions end in "(N)", their turn number.
    private static int TurnOf(string prompt) =>
        TurnNumber().Match(prompt) is { Success: true } m
            ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)
            : 0;

    private static string StateChange(int turn)
    {
        if (turn == 0)
        {
            return JsonSerializer.Serialize(
                new
                {
                    timeOfDay = "dusk",
                    newCharacters = Array.Empty<string>(),
                    characters = Array.Empty<object>(),
                    quests = Array.Empty<object>(),
                }
            );
        }
        var characters = new List<object>
        {
            Character("Wren", Places[turn % Places.Length], turn % 10 == 0 ? [$"map sheet {turn / 10}"] : []),
        };
        if (turn % 3 == 0)
        {
            characters.Add(Character("Maren Holt", Places[turn / 3 % Places.Length], []));
        }
        var quests =
            turn == 1 || turn % 25 == 0
                ? new object[]
                {
                    new
                    {
                        name = "Who dims the lantern",
                        status = "active",
                        notes = $"Clues found by turn {turn}.",
                    },
                }
                : [];
        return JsonSerializer.Serialize(
            new
            {
                timeOfDay = turn % 8 == 0 ? Times[turn / 8 % Times.Length] : null,
                newCharacters = Array.Empty<string>(),
                characters,
                quests,
            }
        );
    }

    private static object Character(string name, string location, string[] addItems) =>
        new
        {
            name,
            location,
            health = (string?)null,
            addConditions = Array.Empty<string>(),
            removeConditions = Array.Empty<string>(),
            addItems,
            removeItems = Array.Empty<string>(),
            relationships = Array.Empty<object>(),
        };

    private static string Summary(string prompt) =>
        "Wren and Maren searched the Saltmere lantern house and the harbour for whoever dims the lantern; the fog "
        + "carried voices, "
        + "the oil ledger did not match the stores, and wet footprints kept appearing on the stair "
        + $"({prompt.Length / 1000} k characters summarised).";

    [GeneratedRegex(@"\((\d+)\)")]
    private static partial Regex TurnNumber();
}
