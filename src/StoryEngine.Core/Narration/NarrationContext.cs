using Microsoft.Extensions.AI;

namespace StoryEngine.Core.Narration;

/// <summary>One part of the prompt as the context inspector shows it.</summary>
/// <param name="Neutralised">What prompt cleaning changed in the section's player and card text (role prefixes,
/// template markers); null when nothing.</param>
public sealed record ContextSection(
    string Name,
    string Role,
    int EstimatedTokens,
    string Text,
    string? Note = null,
    NeutralisedText? Neutralised = null
);

/// <summary>Something that was not sent, and why.</summary>
public sealed record ContextOmission(string What, string Reason);

/// <summary>
/// Exactly what one narration was sent: every section in order, its size, and what was cut for budget; with lore, every
/// entry that fired and why, and every entry that matched but was left out and why.
/// </summary>
public sealed record ContextReport(
    string? Model,
    int ContextTokens,
    int PromptBudget,
    int EstimatedTokens,
    IReadOnlyList<ContextSection> Sections,
    IReadOnlyList<ContextOmission> LeftOut,
    Lore.Activation.LoreReport? Lore = null,
    Memory.MemoryReport? Memory = null,
    Generation.GenerationReport? Generation = null
)
{
    /// <summary>Where the transcript starts and when it is next trimmed (issue 19); null in reports written
    /// before.</summary>
    public TranscriptReport? Transcript { get; init; }

    /// <summary>The passages of the world's documents considered for this prompt, cited by document and heading
    /// (issue 20); null when knowledge search did not run.</summary>
    public Knowledge.KnowledgeReport? Knowledge { get; init; }

    /// <summary>How long the call waited in the model gateway's queue before a backend took it (issue 21); null in
    /// reports written before, or when the call never started.</summary>
    public double? QueueMilliseconds { get; init; }

    /// <summary>The narrator's tool calls before it began to write (issue 22); null when it has no tools.</summary>
    public IReadOnlyList<ToolCallReport>? Tools { get; init; }
}

/// <summary>One tool call of a narration, for the context inspector.</summary>
public sealed record ToolCallReport(
    string Tool,
    System.Text.Json.JsonElement Arguments,
    string Result,
    string? ErrorCode,
    double DurationMs
);

/// <summary>
/// The messages for the chat client, the report of how they were chosen, and the volatile block to keep with the turn
/// (null when it had none).
/// </summary>
public sealed record NarrationContext(
    IReadOnlyList<ChatMessage> Messages,
    ContextReport Report,
    Stories.CarriedContext? Carried = null
);

/// <summary>The player's move: a turn kind (do, say, story, continue) and its text.</summary>
public sealed record PlayerAction(string Kind, string Text)
{
    public static readonly IReadOnlyList<string> Kinds = ["do", "say", "story", "continue"];

    /// <summary>The user-role message for this action; the player's words never go anywhere else.</summary>
    public string ToPrompt() =>
        Kind switch
        {
            "do" => "[Action] " + PromptText.Clean(Text),
            "say" => "[Says] \"" + PromptText.Clean(Text) + "\"",
            "story" => "[Story direction] " + PromptText.Clean(Text),
            "continue" => "[Continue the story]"
                + (string.IsNullOrWhiteSpace(Text) ? "" : " " + PromptText.Clean(Text)),
            _ => PromptText.Clean(Text),
        };
}
