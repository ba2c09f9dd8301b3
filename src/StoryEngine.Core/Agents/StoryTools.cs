using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using StoryEngine.Core.Adventures;
using StoryEngine.Core.ApiKeys;
using StoryEngine.Core.Characters;
using StoryEngine.Core.Lore;
using StoryEngine.Core.Memory;
using StoryEngine.Core.Narration;
using StoryEngine.Core.Resources;
using StoryEngine.Core.State;
using StoryEngine.Core.Stories;
using StoryEngine.Core.Worlds;

namespace StoryEngine.Core.Agents;

/// <summary>
/// The built-in tools (issue 22). Each is declared once here and reaches the narrator, MCP clients and the CLI
/// through <see cref="ToolRegistry"/>. Handlers resolve their services per call, since the narrator that calls some
/// of them is itself a dependency of <see cref="TurnService"/>, which take_turn uses. Dice (<c>roll</c>,
/// <c>request_check</c>) are declared in <see cref="TabletopTools"/> and listed here with the rest (issue 23).
/// </summary>
public static class StoryTools
{
    /// <summary>The longest lore or narration text a tool returns per item, in characters.</summary>
    public const int MaxItemText = 2_000;

    public static IReadOnlyList<AgentTool> All() =>
        [
            new(
                "list_worlds",
                "List the worlds the user has built (id, name, short description). Optional text search.",
                AgentTool.Schema(
                    """
                    {
                      "type": "object",
                      "properties": {
                        "query": {"type": "string", "description": "Words to search for"},
                        "limit": {"type": "integer", "minimum": 1, "maximum": 200}
                      }
                    }
                    """
                ),
                ApiKeyScopes.Read,
                ToolAudience.Clients,
                ListWorldsAsync
            ),
            new(
                "get_world",
                "Get one world: its setting, genre, tone, rules and style.",
                AgentTool.Schema(
                    """
                    {
                      "type": "object",
                      "properties": {
                        "worldId": {"type": "string"}
                      },
                      "required": ["worldId"]
                    }
                    """
                ),
                ApiKeyScopes.Read,
                ToolAudience.Clients,
                GetWorldAsync
            ),
            new(
                "list_characters",
                "List the characters of a world (id, name, description, personality).",
                AgentTool.Schema(
                    """
                    {
                      "type": "object",
                      "properties": {
                        "worldId": {"type": "string"},
                        "query": {"type": "string"}
                      },
                      "required": ["worldId"]
                    }
                    """
                ),
                ApiKeyScopes.Read,
                ToolAudience.Clients,
                ListCharactersAsync
            ),
            new(
                "list_lorebooks",
                "List the lorebooks of a world (id, name, how many entries).",
                AgentTool.Schema(
                    """
                    {
                      "type": "object",
                      "properties": {
                        "worldId": {"type": "string"}
                      },
                      "required": ["worldId"]
                    }
                    """
                ),
                ApiKeyScopes.Read,
                ToolAudience.Clients,
                ListLorebooksAsync
            ),
            new(
                "search_lore",
                "Look up the world's lore (places, people, history, rules) by words. Use it instead of inventing "
                    + "facts.",
                AgentTool.Schema(
                    """
                    {
                      "type": "object",
                      "properties": {
                        "query": {"type": "string", "description": "What to look up"},
                        "worldId": {"type": "string"},
                        "adventureId": {"type": "string"},
                        "limit": {"type": "integer", "minimum": 1, "maximum": 20}
                      },
                      "required": ["query"]
                    }
                    """
                ),
                ApiKeyScopes.Read,
                ToolAudience.Both,
                SearchLoreAsync
            ),
            new(
                "recall_memory",
                "Recall earlier turns of this adventure that mention something (who said what, what happened where).",
                AgentTool.Schema(
                    """
                    {
                      "type": "object",
                      "properties": {
                        "adventureId": {"type": "string"},
                        "query": {"type": "string"},
                        "limit": {"type": "integer", "minimum": 1, "maximum": 10}
                      },
                      "required": ["adventureId", "query"]
                    }
                    """
                ),
                ApiKeyScopes.Read,
                ToolAudience.Both,
                RecallMemoryAsync
            ),
            new(
                "get_state",
                "Read the adventure's world state: time of day, where each character is, health, items, quests.",
                AgentTool.Schema(
                    """
                    {
                      "type": "object",
                      "properties": {
                        "adventureId": {"type": "string"}
                      },
                      "required": ["adventureId"]
                    }
                    """
                ),
                ApiKeyScopes.Read,
                ToolAudience.Both,
                GetStateAsync
            ),
            new(
                "propose_state_update",
                "Record a change to the world state that this narration makes (a character moves, is hurt, gains or "
                    + "loses an item; a quest changes). Checked like extracted changes; refused ones are not applied.",
                AgentTool.Schema(StateSchema.Json),
                ApiKeyScopes.Play,
                ToolAudience.Narrator,
                ProposeStateUpdateAsync
            ),
            new(
                "start_adventure",
                "Start a new adventure in a world, optionally with a persona, characters, a start location, an opening "
                    + "and a title. Returns the adventure and its opening scene.",
                AgentTool.Schema(
                    """
                    {
                      "type": "object",
                      "properties": {
                        "worldId": {"type": "string"},
                        "personaId": {"type": "string"},
                        "characterIds": {"type": "array", "items": {"type": "string"}},
                        "startLocationId": {"type": "string"},
                        "opening": {"type": "string"},
                        "title": {"type": "string"}
                      },
                      "required": ["worldId"]
                    }
                    """
                ),
                ApiKeyScopes.Play,
                ToolAudience.Clients,
                StartAdventureAsync
            ),
            new(
                "take_turn",
                "Play one turn: the player's action (kind 'do', 'say', 'story' or 'continue', and its text). "
                    + "Returns the "
                    + "narration; progress notifications carry it while it is written.",
                AgentTool.Schema(
                    """
                    {
                      "type": "object",
                      "properties": {
                        "adventureId": {"type": "string"},
                        "kind": {"type": "string", "enum": ["do", "say", "story", "continue"]},
                        "text": {"type": "string"}
                      },
                      "required": ["adventureId", "kind"]
                    }
                    """
                ),
                ApiKeyScopes.Play,
                ToolAudience.Clients,
                TakeTurnAsync
            ),
            .. TabletopTools.All(),
            .. Director.DirectorTools.All(),
        ];

    private static async Task<JsonNode?> ListWorldsAsync(ToolCall call, CancellationToken cancellationToken)
    {
        var worlds = call.Services.GetRequiredService<ResourceService<World>>();
        var query = ListQuery.From(call.Int("limit", 1, ListQuery.MaxLimit), null, call.String("query"), null);
        var page = await worlds.ListSummariesAsync(new(call.Caller.OwnerId, null), query, false, cancellationToken);
        return ToolJson.From(
            new
            {
                worlds = page.Items.Select(w => new
                {
                    w.Id,
                    w.Name,
                    w.Description,
                    w.Tags,
                }),
                more = page.NextCursor is not null,
            }
        );
    }

    private static async Task<JsonNode?> GetWorldAsync(ToolCall call, CancellationToken cancellationToken)
    {
        var world = await WorldAsync(call, call.String("worldId", required: true)!, cancellationToken);
        var b = world.Body;
        return ToolJson.From(
            new
            {
                world.Id,
                b.Name,
                b.Genre,
                b.Tone,
                b.Description,
                b.Rules,
                b.Style,
                b.Tags,
            }
        );
    }

    private static async Task<JsonNode?> ListCharactersAsync(ToolCall call, CancellationToken cancellationToken)
    {
        var characters = call.Services.GetRequiredService<ResourceService<Character>>();
        var worldId = call.String("worldId", required: true)!;
        var page = await characters.ListAsync(
            new(call.Caller.OwnerId, worldId),
            ListQuery.From(ListQuery.MaxLimit, null, call.String("query"), null),
            cancellationToken
        );
        return ToolJson.From(
            new
            {
                characters = page.Items.Select(c => new
                {
                    c.Id,
                    c.Body.Name,
                    Description = ResourceSummary.Shorten(c.Body.Description),
                    Personality = ResourceSummary.Shorten(c.Body.Personality),
                }),
            }
        );
    }

    private static async Task<JsonNode?> ListLorebooksAsync(ToolCall call, CancellationToken cancellationToken)
    {
        var world = await WorldAsync(call, call.String("worldId", required: true)!, cancellationToken);
        var books = await call
            .Services.GetRequiredService<IResourceStore<Lorebook>>()
            .ListAllAsync(new(call.Caller.OwnerId, world.Id), cancellationToken);
        return ToolJson.From(
            new
            {
                lorebooks = books
                    .Where(b => b.DeletedAt is null)
                    .Select(b => new
                    {
                        b.Id,
                        b.Body.Name,
                        b.Body.Description,
                        Entries = b.Body.Entries.Count,
                    }),
            }
        );
    }

    private static async Task<JsonNode?> SearchLoreAsync(ToolCall call, CancellationToken cancellationToken)
    {
        var query = call.String("query", required: true, maxLength: 1_000)!;
        var limit = call.Int("limit", 1, 20) ?? 5;
        string worldId;
        if (call.String(AgentTool.AdventureIdArgument) is { Length: > 0 } adventureId)
        {
            worldId = (await AdventureAsync(call, adventureId, cancellationToken)).WorldId;
        }
        else
        {
            worldId = call.String("worldId") is { Length: > 0 } given
                ? given
                : throw Errors.ValidationFailedException.For("worldId", "worldId or adventureId is required.");
            await WorldAsync(call, worldId, cancellationToken);
        }
        var books = await call
            .Services.GetRequiredService<IResourceStore<Lorebook>>()
            .ListAllAsync(new(call.Caller.OwnerId, worldId), cancellationToken);
        var hits = LoreSearch.Search(books.Where(b => b.DeletedAt is null).Select(b => (b.Id, b.Body)), query, limit);
        return ToolJson.From(
            new
            {
                query,
                entries = hits.Select(h => new
                {
                    h.BookId,
                    EntryId = h.Entry.Id,
                    h.Entry.Name,
                    h.Entry.Keys,
                    Content = Cut(h.Entry.Content),
                    h.Score,
                }),
            }
        );
    }

    private static async Task<JsonNode?> RecallMemoryAsync(ToolCall call, CancellationToken cancellationToken)
    {
        var adventure = await AdventureAsync(
            call,
            call.String(AgentTool.AdventureIdArgument, required: true)!,
            cancellationToken
        );
        var query = call.String("query", required: true, maxLength: 1_000)!;
        var limit = call.Int("limit", 1, 10) ?? 3;
        var result = await call
            .Services.GetRequiredService<MemoryRecall>()
            .RecallAsync(adventure.Id, adventure.OwnerId, int.MaxValue, query, [], cancellationToken);
        return ToolJson.From(
            new
            {
                query,
                note = result.Note,
                turns = result
                    .Candidates.Take(limit)
                    .Select(c => new
                    {
                        c.Turn.Number,
                        Player = Cut(c.Turn.PlayerText),
                        Narration = Cut(c.Turn.ChosenNarration.Text),
                    }),
            }
        );
    }

    private static async Task<JsonNode?> GetStateAsync(ToolCall call, CancellationToken cancellationToken)
    {
        var adventureId = call.String(AgentTool.AdventureIdArgument, required: true)!;
        var (state, sequence) = await call
            .Services.GetRequiredService<WorldStates>()
            .GetAsync(call.Caller.OwnerId, adventureId, null, cancellationToken);
        return ToolJson.From(
            new
            {
                adventureId,
                sequence,
                state = state.Normalized(),
            }
        );
    }

    private static async Task<JsonNode?> ProposeStateUpdateAsync(ToolCall call, CancellationToken cancellationToken)
    {
        var turn = call.Turn
            ?? throw Errors.ValidationFailedException.For("adventureId", "Only a narration can propose a change.");
        var adventure = await AdventureAsync(call, turn.AdventureId, cancellationToken);
        var states = call.Services.GetRequiredService<WorldStates>();
        var current = await states.CurrentAsync(adventure, cancellationToken);
        var cast = await call.Services.GetRequiredService<StateCast>().NamesAsync(adventure, cancellationToken);
        var (change, errors) = StateExtractionJob.Read(call.Arguments.GetRawText(), current, cast);
        if (change is null)
        {
            throw Errors.ValidationFailedException.For("change", string.Join(" ", errors));
        }
        if (!change.IsEmpty)
        {
            turn.Propose(new StateChanged(turn.TurnId, turn.Alternative, change));
        }
        return ToolJson.From(new { accepted = true, state = StateRules.Apply(current, change).Normalized() });
    }

    private static async Task<JsonNode?> StartAdventureAsync(ToolCall call, CancellationToken cancellationToken)
    {
        var adventures = call.Services.GetRequiredService<AdventureService>();
        var adventure = await adventures.CreateAsync(
            call.Caller.OwnerId,
            new NewAdventure(
                call.String("worldId", required: true),
                call.String("personaId"),
                call.Strings("characterIds"),
                call.String("startLocationId"),
                call.String("opening", maxLength: Limits.LongText),
                call.String("title", maxLength: Limits.Name)
            ),
            cancellationToken
        );
        var opening = (
            await call
                .Services.GetRequiredService<IStoryLog>()
                .ListTurnsAsync(adventure.Id, null, 1, false, cancellationToken)
        ).FirstOrDefault();
        return ToolJson.From(
            new
            {
                adventureId = adventure.Id,
                adventure.Title,
                adventure.WorldId,
                opening = opening?.ChosenNarration.Text,
            }
        );
    }

    private static async Task<JsonNode?> TakeTurnAsync(ToolCall call, CancellationToken cancellationToken)
    {
        var turns = call.Services.GetRequiredService<TurnService>();
        var run = await turns.TakeTurnAsync(
            call.Caller.OwnerId,
            call.String(AgentTool.AdventureIdArgument, required: true)!,
            call.String("kind", required: true),
            call.String("text", maxLength: NarratorSettings.MaxActionCharacters + 1),
            cancellationToken
        );
        // The narration runs on whatever happens to this call (as for the API: a dropped client loses nothing).
        await foreach (var item in run.ReadAsync(0, cancellationToken))
        {
            switch (item)
            {
                case TokenItem token:
                    call.Progress?.Report(new ToolProgress(token.Index, token.Text));
                    break;
                case OutcomeItem outcome:
                    var narration = outcome.Turn.Alternatives[run.Alternative];
                    if (!outcome.Succeeded)
                    {
                        throw new NarrationFailedException(outcome.FailureCode!, outcome.FailureMessage ?? "");
                    }
                    return ToolJson.From(
                        new
                        {
                            adventureId = run.AdventureId,
                            turnId = run.TurnId,
                            number = outcome.Turn.Number,
                            narration = narration.Text,
                            status = narration.Status,
                        }
                    );
            }
        }
        throw new NarrationFailedException("interrupted", "The narration ended without an outcome.");
    }

    private static Task<Adventure> AdventureAsync(ToolCall call, string id, CancellationToken cancellationToken) =>
        call.Services.GetRequiredService<AdventureService>().GetAsync(call.Caller.OwnerId, id, cancellationToken);

    private static Task<StoredResource<World>> WorldAsync(
        ToolCall call,
        string id,
        CancellationToken cancellationToken
    ) =>
        call
            .Services.GetRequiredService<ResourceService<World>>()
            .GetAsync(new(call.Caller.OwnerId, null), id, cancellationToken);

    private static string Cut(string text) => text.Length <= MaxItemText ? text : text[..MaxItemText] + "…";
}

/// <summary>A turn taken through a tool whose narration failed; its code is the narration's (backend_timeout
/// …).</summary>
public sealed class NarrationFailedException(string code, string message) : Errors.StoryEngineException(code, message);
