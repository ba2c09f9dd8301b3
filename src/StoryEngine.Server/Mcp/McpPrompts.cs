using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using StoryEngine.Core.Agents;
using StoryEngine.Core.ApiKeys;
using StoryEngine.Core.Errors;
using StoryEngine.Core.Resources;
using StoryEngine.Core.Worlds;

namespace StoryEngine.Server.Mcp;

/// <summary>The prompts an MCP client offers its user: "Continue my story" and "Create a character".</summary>
public sealed class McpPrompts(Func<MessageContext, CancellationToken, ValueTask<ToolCaller>> callerOf)
{
    public const string ContinueMyStory = "continue_my_story";
    public const string CreateACharacter = "create_a_character";

    /// <summary>How many of the newest turns "Continue my story" shows the assistant.</summary>
    public const int ContinueTurns = 10;

    public ValueTask<ListPromptsResult> ListAsync(
        RequestContext<ListPromptsRequestParams> request,
        CancellationToken cancellationToken
    ) =>
        ValueTask.FromResult(
            new ListPromptsResult
            {
                Prompts =
                [
                    new()
                    {
                        Name = ContinueMyStory,
                        Title = "Continue my story",
                        Description = "Pick up an adventure where it stopped and play the next turn with take_turn.",
                        Arguments =
                        [
                            new()
                            {
                                Name = "adventureId",
                                Description = "The adventure to continue",
                                Required = true,
                            },
                            new() { Name = "action", Description = "What you want to do next (optional)" },
                        ],
                    },
                    new()
                    {
                        Name = CreateACharacter,
                        Title = "Create a character",
                        Description = "Draft a new character that fits a world.",
                        Arguments =
                        [
                            new()
                            {
                                Name = "worldId",
                                Description = "The world the character lives in",
                                Required = true,
                            },
                            new() { Name = "idea", Description = "A few words about the character (optional)" },
                        ],
                    },
                ],
            }
        );

    public async ValueTask<GetPromptResult> GetAsync(
        RequestContext<GetPromptRequestParams> request,
        CancellationToken cancellationToken
    )
    {
        var caller = await callerOf(request, cancellationToken);
        if (!caller.Has(ApiKeyScopes.Read))
        {
            throw new McpException("This API key lacks the 'read' scope that prompts need.");
        }
        var arguments = request.Params?.Arguments ?? new Dictionary<string, System.Text.Json.JsonElement>();
        string? Argument(string name) =>
            arguments.TryGetValue(name, out var value) && value.ValueKind == System.Text.Json.JsonValueKind.String
                ? value.GetString()
                : null;
        try
        {
            return request.Params?.Name switch
            {
                ContinueMyStory => await ContinueAsync(
                    request,
                    caller,
                    Argument("adventureId"),
                    Argument("action"),
                    cancellationToken
                ),
                CreateACharacter => await CreateCharacterAsync(
                    request,
                    caller,
                    Argument("worldId"),
                    Argument("idea"),
                    cancellationToken
                ),
                var other => throw new McpException($"There is no prompt named '{other}'."),
            };
        }
        catch (NotFoundException e)
        {
            throw new McpException(e.Message);
        }
    }

    private static async Task<GetPromptResult> ContinueAsync(
        MessageContext request,
        ToolCaller caller,
        string? adventureId,
        string? action,
        CancellationToken cancellationToken
    )
    {
        if (string.IsNullOrWhiteSpace(adventureId))
        {
            throw new McpException("continue_my_story needs the adventureId argument.");
        }
        var transcript = await McpResources.TranscriptAsync(
            request.Services!,
            caller,
            adventureId,
            ContinueTurns,
            cancellationToken
        );
        var next = string.IsNullOrWhiteSpace(action)
            ? "Ask me what I do next, then play it with the take_turn tool"
            : $"Play my next move with the take_turn tool: \"{action}\"";
        return new GetPromptResult
        {
            Description = "Continue an adventure",
            Messages =
            [
                new PromptMessage
                {
                    Role = Role.User,
                    Content = new TextContentBlock
                    {
                        Text =
                            $"This is my Story Engine adventure {adventureId} so far:\n\n{transcript}\n"
                            + $"{next} (adventureId \"{adventureId}\"; kind \"do\" for actions, \"say\" for speech). "
                            + "Show me the narration it returns.",
                    },
                },
            ],
        };
    }

    private static async Task<GetPromptResult> CreateCharacterAsync(
        MessageContext request,
        ToolCaller caller,
        string? worldId,
        string? idea,
        CancellationToken cancellationToken
    )
    {
        if (string.IsNullOrWhiteSpace(worldId))
        {
            throw new McpException("create_a_character needs the worldId argument.");
        }
        var world = await request
            .Services!.GetRequiredService<ResourceService<World>>()
            .GetAsync(new(caller.OwnerId, null), worldId, cancellationToken);
        var b = world.Body;
        return new GetPromptResult
        {
            Description = "Draft a character for " + b.Name,
            Messages =
            [
                new PromptMessage
                {
                    Role = Role.User,
                    Content = new TextContentBlock
                    {
                        Text =
                            $"Create a character for my world \"{b.Name}\" ({b.Genre}, {b.Tone}).\n\n"
                            + $"Setting: {b.Description}\n"
                            + $"Rules: {b.Rules}\n\n"
                            + (string.IsNullOrWhiteSpace(idea) ? "" : $"My idea: {idea}\n\n")
                            + "Give the character a name, a description, a personality, an appearance, a way of "
                            + "speaking, goals, and a first message they would say when we meet. Check list_characters "
                            + "first so the new one differs from those the world already has.",
                    },
                },
            ],
        };
    }
}
