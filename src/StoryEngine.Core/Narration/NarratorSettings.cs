namespace StoryEngine.Core.Narration;

/// <summary>What the context builder needs to know about the narrator backend.</summary>
public sealed record NarratorSettings(int ContextTokens, int ReplyTokens, string? Model)
{
    /// <summary>Longest action a player may send (issue 3: over 4,000 characters → 422).</summary>
    public const int MaxActionCharacters = 4_000;

    /// <summary>Tokens the prompt may use: the context window less what the reply needs.</summary>
    public int PromptBudget => Math.Max(256, ContextTokens - ReplyTokens);
}
