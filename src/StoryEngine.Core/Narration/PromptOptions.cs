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

    public const int DefaultLowWaterPercent = 50;

    /// <summary>
    /// When the transcript outgrows its budget, the oldest turns are dropped at once until it uses at most this share
    /// of the budget (10–100), and it then grows again from a start that stays put, so a backend's prompt cache holds
    /// between trims (issue 19, docs/adr/0041-transcript-trimmed-in-blocks.md). 100 drops only what must go.
    /// </summary>
    public int TranscriptLowWaterPercent { get; set; } = DefaultLowWaterPercent;
}
