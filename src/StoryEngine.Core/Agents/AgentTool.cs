using System.Text.Json;
using System.Text.Json.Nodes;
using StoryEngine.Core.Errors;

namespace StoryEngine.Core.Agents;

/// <summary>Who a tool is offered to. A tool may serve several (docs/adr/0048-one-tool-registry.md).</summary>
[Flags]
public enum ToolAudience
{
    None = 0,

    /// <summary>MCP clients (<c>/mcp</c> and <c>storyengine mcp</c>) and the CLI's <c>storyengine tools</c>.</summary>
    Clients = 1,

    /// <summary>The narrator, during a turn; its adventure is the turn's, so an <c>adventureId</c> parameter is filled
    /// in and not shown to the model.</summary>
    Narrator = 2,

    Both = Clients | Narrator,
}

/// <summary>
/// One tool, declared once: its snake_case name, what it does (the sentence a model reads), the JSON schema of its
/// arguments, the API key scope it needs (the same scope the matching REST route needs) and its handler.
/// </summary>
public sealed record AgentTool(
    string Name,
    string Description,
    JsonElement InputSchema,
    string Scope,
    ToolAudience Audience,
    Func<ToolCall, CancellationToken, Task<JsonNode?>> Handler
)
{
    /// <summary>The argument the narrator's turn fills in for adventure-bound tools.</summary>
    public const string AdventureIdArgument = "adventureId";

    /// <summary>Whether a call changes something (MCP's destructive/read-only hints follow it).</summary>
    public bool ReadOnly => Scope == ApiKeys.ApiKeyScopes.Read;

    /// <summary>The schema the narrator's model sees: <see cref="AdventureIdArgument"/> taken out, because the turn
    /// knows its adventure and a model must not reach another.</summary>
    public JsonElement NarratorSchema()
    {
        var schema = JsonNode.Parse(InputSchema.GetRawText())!.AsObject();
        (schema["properties"] as JsonObject)?.Remove(AdventureIdArgument);
        if (schema["required"] is JsonArray required)
        {
            foreach (var item in required.Where(r => r?.GetValue<string>() == AdventureIdArgument).ToArray())
            {
                required.Remove(item);
            }
        }
        return JsonSerializer.SerializeToElement(schema);
    }

    /// <summary>Parses a schema written as a JSON literal (tools declare theirs inline).</summary>
    public static JsonElement Schema(string json) => JsonDocument.Parse(json).RootElement.Clone();
}

/// <summary>
/// Who calls a tool: the account it acts for and the scopes it holds (an API key's, or every scope for a signed-in
/// session and for the narrator acting for the adventure's owner).
/// </summary>
public sealed record ToolCaller(string OwnerId, IReadOnlySet<string> Scopes)
{
    public static ToolCaller WithAllScopes(string ownerId) =>
        new(ownerId, new HashSet<string>(ApiKeys.ApiKeyScopes.All, StringComparer.Ordinal));

    public bool Has(string scope) => Scopes.Contains(scope);
}

/// <summary>One invocation: the arguments as sent, the caller, where to report progress, and the services.</summary>
/// <param name="Turn">The narrator's turn, for adventure-bound tools; null for clients.</param>
/// <param name="Progress">Text as a long call produces it (take_turn's narration); null when nobody listens.</param>
public sealed record ToolCall(
    JsonElement Arguments,
    ToolCaller Caller,
    IServiceProvider Services,
    ToolTurn? Turn = null,
    IProgress<ToolProgress>? Progress = null
)
{
    public string? AdventureId => Turn?.AdventureId;

    /// <summary>A string argument; <paramref name="required"/> ones missing or blank are refused.</summary>
    public string? String(string name, bool required = false, int maxLength = 10_000)
    {
        string? value = null;
        if (Arguments.ValueKind == JsonValueKind.Object && Arguments.TryGetProperty(name, out var property))
        {
            value = property.ValueKind switch
            {
                JsonValueKind.String => property.GetString(),
                JsonValueKind.Null => null,
                _ => throw ValidationFailedException.For(name, $"{name} must be a string."),
            };
        }
        if (name == AgentTool.AdventureIdArgument && AdventureId is not null)
        {
            value = AdventureId; // the narrator's turn: its own adventure, whatever the model wrote
        }
        if (required && string.IsNullOrWhiteSpace(value))
        {
            throw ValidationFailedException.For(name, $"{name} is required.");
        }
        if (value?.Length > maxLength)
        {
            throw ValidationFailedException.For(name, $"{name} must be at most {maxLength} characters.");
        }
        return value;
    }

    public int? Int(string name, int min, int max)
    {
        if (Arguments.ValueKind != JsonValueKind.Object || !Arguments.TryGetProperty(name, out var property))
        {
            return null;
        }
        if (property.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (property.ValueKind != JsonValueKind.Number || !property.TryGetInt32(out var value) || value < min)
        {
            throw ValidationFailedException.For(name, $"{name} must be a whole number from {min} to {max}.");
        }
        return Math.Min(value, max);
    }

    public IReadOnlyList<string>? Strings(string name)
    {
        if (Arguments.ValueKind != JsonValueKind.Object || !Arguments.TryGetProperty(name, out var property))
        {
            return null;
        }
        if (property.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (
            property.ValueKind != JsonValueKind.Array
            || property.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String)
        )
        {
            throw ValidationFailedException.For(name, $"{name} must be an array of strings.");
        }
        return [.. property.EnumerateArray().Select(e => e.GetString()!)];
    }

    public JsonElement? Object(string name)
    {
        if (Arguments.ValueKind != JsonValueKind.Object || !Arguments.TryGetProperty(name, out var property))
        {
            return null;
        }
        return property.ValueKind == JsonValueKind.Object
            ? property
            : throw ValidationFailedException.For(name, $"{name} must be an object.");
    }
}

/// <summary>
/// The turn a narrator's tool call belongs to. What the tools propose for the story (a world-state change) is kept
/// here and appended with the narration's outcome, so a failed or stopped narration leaves none of it.
/// </summary>
public sealed class ToolTurn(string adventureId, string turnId, int alternative)
{
    private readonly List<Stories.IStoryEventPayload> _proposed = [];
    private readonly Lock _lock = new();

    public string AdventureId { get; } = adventureId;
    public string TurnId { get; } = turnId;
    public int Alternative { get; } = alternative;

    public void Propose(Stories.IStoryEventPayload proposal)
    {
        lock (_lock)
        {
            _proposed.Add(proposal);
        }
    }

    public IReadOnlyList<Stories.IStoryEventPayload> Proposed()
    {
        lock (_lock)
        {
            return [.. _proposed];
        }
    }
}

/// <summary>How far a long call has got, and the text it just produced.</summary>
public sealed record ToolProgress(int Step, string Text);

/// <summary>What a call gave back: its JSON result, or a refusal or failure told to the caller as a tool error
/// (<see cref="ErrorCode"/>), never an exception across the protocol.</summary>
public sealed record ToolResult(JsonNode? Content, string? ErrorCode, string? ErrorMessage)
{
    public bool IsError => ErrorCode is not null;

    /// <summary>The text a model or an MCP client reads.</summary>
    public string Text =>
        IsError
            ? JsonSerializer.Serialize(new { error = ErrorCode, message = ErrorMessage }, ToolJson.Options)
            : Content?.ToJsonString(ToolJson.Options) ?? "null";

    public static ToolResult Ok(JsonNode? content) => new(content, null, null);

    public static ToolResult Error(string code, string message) => new(null, code, message);
}

public static class ToolJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    public static JsonNode? From<T>(T value) => JsonSerializer.SerializeToNode(value, ToolJson.Options);
}

/// <summary>The caller's key lacks the scope a tool needs: the call is refused and nothing is done.</summary>
public sealed class ToolScopeException(string tool, string scope)
    : StoryEngineException("insufficient_scope", $"The tool '{tool}' needs the '{scope}' scope, which this key lacks.")
{
    public string RequiredScope { get; } = scope;
}

/// <summary>No tool by that name is offered to this caller.</summary>
public sealed class UnknownToolException(string tool)
    : StoryEngineException("unknown_tool", $"There is no tool named '{tool}'.");
