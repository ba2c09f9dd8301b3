using System.Text;
using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using StoryEngine.Core.Adventures;
using StoryEngine.Core.Agents;
using StoryEngine.Core.ApiKeys;
using StoryEngine.Core.Characters;
using StoryEngine.Core.Errors;
using StoryEngine.Core.Resources;
using StoryEngine.Core.Stories;
using StoryEngine.Core.Worlds;

namespace StoryEngine.Server.Mcp;

/// <summary>
/// Worlds, characters and adventure transcripts as MCP resources (read scope):
/// <c>storyengine://worlds/{worldId}</c>, <c>storyengine://worlds/{worldId}/characters/{characterId}</c> and
/// <c>storyengine://adventures/{adventureId}/transcript</c>.
/// </summary>
public sealed class McpResources(Func<MessageContext, CancellationToken, ValueTask<ToolCaller>> callerOf)
{
    public const string Scheme = "storyengine://";

    /// <summary>The most turns a transcript resource holds: the newest ones.</summary>
    public const int MaxTranscriptTurns = 200;

    private const int Listed = 50;

    public static ListResourceTemplatesResult Templates() =>
        new()
        {
            ResourceTemplates =
            [
                new()
                {
                    Name = "world",
                    UriTemplate = Scheme + "worlds/{worldId}",
                    Description = "A world: setting, rules, style, and its characters",
                    MimeType = "application/json",
                },
                new()
                {
                    Name = "character",
                    UriTemplate = Scheme + "worlds/{worldId}/characters/{characterId}",
                    Description = "A character of a world",
                    MimeType = "application/json",
                },
                new()
                {
                    Name = "transcript",
                    UriTemplate = Scheme + "adventures/{adventureId}/transcript",
                    Description = "An adventure's story so far (the newest 200 turns)",
                    MimeType = "text/markdown",
                },
            ],
        };

    public ValueTask<ListResourceTemplatesResult> ListTemplatesAsync(
        RequestContext<ListResourceTemplatesRequestParams> request,
        CancellationToken cancellationToken
    ) => ValueTask.FromResult(Templates());

    public async ValueTask<ListResourcesResult> ListAsync(
        RequestContext<ListResourcesRequestParams> request,
        CancellationToken cancellationToken
    )
    {
        var caller = await ReadableAsync(request, cancellationToken);
        var services = request.Services!;
        var worlds = await services
            .GetRequiredService<ResourceService<World>>()
            .ListSummariesAsync(
                new(caller.OwnerId, null),
                ListQuery.From(Listed, null, null, null),
                false,
                cancellationToken
            );
        var adventures = await services
            .GetRequiredService<AdventureService>()
            .ListRecentAsync(caller.OwnerId, Listed, cancellationToken);
        return new ListResourcesResult
        {
            Resources =
            [
                .. worlds.Items.Select(w => new Resource
                {
                    Uri = $"{Scheme}worlds/{w.Id}",
                    Name = w.Name,
                    Description = w.Description,
                    MimeType = "application/json",
                }),
                .. adventures.Select(a => new Resource
                {
                    Uri = $"{Scheme}adventures/{a.Id}/transcript",
                    Name = a.Title,
                    Description = $"Transcript, {a.TurnCount} turns",
                    MimeType = "text/markdown",
                }),
            ],
        };
    }

    public async ValueTask<ReadResourceResult> ReadAsync(
        RequestContext<ReadResourceRequestParams> request,
        CancellationToken cancellationToken
    )
    {
        var caller = await ReadableAsync(request, cancellationToken);
        var uri = request.Params?.Uri ?? "";
        var parts = uri.StartsWith(Scheme, StringComparison.Ordinal)
            ? uri[Scheme.Length..].Split('/', StringSplitOptions.RemoveEmptyEntries)
            : [];
        try
        {
            var (mime, text) = parts switch
            {
                ["worlds", var worldId] => (
                    "application/json",
                    await WorldAsync(request, caller, worldId, cancellationToken)
                ),
                ["worlds", var worldId, "characters", var id] => (
                    "application/json",
                    await CharacterAsync(request, caller, worldId, id, cancellationToken)
                ),
                ["adventures", var id, "transcript"] => (
                    "text/markdown",
                    await TranscriptAsync(request.Services!, caller, id, MaxTranscriptTurns, cancellationToken)
                ),
                _ => throw new McpException($"Unknown resource '{uri}'. See resources/templates/list."),
            };
            return new ReadResourceResult
            {
                Contents =
                [
                    new TextResourceContents
                    {
                        Uri = uri,
                        MimeType = mime,
                        Text = text,
                    },
                ],
            };
        }
        catch (NotFoundException e)
        {
            throw new McpException(e.Message);
        }
    }

    /// <summary>An adventure's newest turns as Markdown, oldest first: the player's moves quoted, the narration as
    /// prose.</summary>
    public static async Task<string> TranscriptAsync(
        IServiceProvider services,
        ToolCaller caller,
        string adventureId,
        int turns,
        CancellationToken cancellationToken
    )
    {
        var adventure = await services
            .GetRequiredService<AdventureService>()
            .GetAsync(caller.OwnerId, adventureId, cancellationToken);
        var newest = await services
            .GetRequiredService<IStoryLog>()
            .ListTurnsAsync(adventure.Id, null, turns, false, cancellationToken);
        var text = new StringBuilder($"# {adventure.Title}\n");
        foreach (var turn in newest.Reverse())
        {
            text.Append('\n');
            if (turn.Kind != "opening" && turn.PlayerText.Length > 0)
            {
                text.Append("> ")
                    .Append(turn.Kind)
                    .Append(": ")
                    .Append(turn.PlayerText.ReplaceLineEndings(" "))
                    .Append("\n\n");
            }
            text.Append(turn.ChosenNarration.Text.Trim()).Append('\n');
        }
        return text.ToString();
    }

    private static async Task<string> WorldAsync(
        MessageContext request,
        ToolCaller caller,
        string worldId,
        CancellationToken cancellationToken
    )
    {
        var world = await request
            .Services!.GetRequiredService<ResourceService<World>>()
            .GetAsync(new(caller.OwnerId, null), worldId, cancellationToken);
        var characters = await request
            .Services!.GetRequiredService<ResourceService<Character>>()
            .ListSummariesAsync(
                new(caller.OwnerId, worldId),
                ListQuery.From(ListQuery.MaxLimit, null, null, null),
                false,
                cancellationToken
            );
        var b = world.Body;
        return JsonSerializer.Serialize(
            new
            {
                world.Id,
                b.Name,
                b.Genre,
                b.Tone,
                b.Description,
                b.Rules,
                b.Style,
                characters = characters.Items.Select(c => new
                {
                    c.Id,
                    c.Name,
                    uri = $"{Scheme}worlds/{worldId}/characters/{c.Id}",
                }),
            },
            ToolJson.Options
        );
    }

    private static async Task<string> CharacterAsync(
        MessageContext request,
        ToolCaller caller,
        string worldId,
        string id,
        CancellationToken cancellationToken
    )
    {
        var character = await request
            .Services!.GetRequiredService<ResourceService<Character>>()
            .GetAsync(new(caller.OwnerId, worldId), id, cancellationToken);
        var b = character.Body;
        return JsonSerializer.Serialize(
            new
            {
                character.Id,
                b.Name,
                b.Description,
                b.Personality,
                b.Appearance,
                b.SpeechStyle,
                b.Goals,
                b.Scenario,
                b.Tags,
            },
            ToolJson.Options
        );
    }

    private async ValueTask<ToolCaller> ReadableAsync(MessageContext request, CancellationToken cancellationToken)
    {
        var caller = await callerOf(request, cancellationToken);
        return caller.Has(ApiKeyScopes.Read)
            ? caller
            : throw new McpException("This API key lacks the 'read' scope that resources need.");
    }
}
