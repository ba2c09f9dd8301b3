namespace StoryEngine.Core.Narration;

/// <summary>What the context builder needs to know about the narrator backend.</summary>
public sealed record NarratorSettings(int ContextTokens, int ReplyTokens, string? Model)
{
    /// <summary>Longest action a player may send (issue 3: over 4,000 characters → 422).</summary>
    public const int MaxActionCharacters = 4_000;

    /// <summary>Tool calls the narrator may make per turn; 0 when its backends take no tools (issue 22).</summary>
    public int MaxToolCalls { get; init; }

    /// <summary>How long the tool calls of one turn may take in all.</summary>
    public TimeSpan ToolTimeBudget { get; init; } = TimeSpan.FromSeconds(20);

    public bool UsesTools => MaxToolCalls > 0;

    /// <summary>Tokens the prompt may use: the context window less what the reply needs.</summary>
    public int PromptBudget => Math.Max(256, ContextTokens - ReplyTokens);
}
