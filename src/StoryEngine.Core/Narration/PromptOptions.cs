namespace StoryEngine.Core.Narration;

/// <summary>How cards may shape the prompt (configuration section <c>Narrator</c>, docs/configuration.md).</summary>
public sealed class PromptOptions
{
    public const string Section = "Narrator";

    /// <summary>
    /// Whether a card's own system prompt replaces the narrator's instructions (SillyTavern's "Prefer Char. Prompt",
    /// on by default there too). Off: our instructions always lead, and the inspector says the card's was ignored.
    /// </summary>
    public bool CardSystemPrompts { get; set; } = true;
}
