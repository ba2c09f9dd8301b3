namespace StoryEngine.Core.Narration;

/// <summary>Helpers for reading a model's structured answers.</summary>
public static class ModelAnswers
{
    /// <summary>The JSON inside a Markdown fence: some local models wrap JSON in one even when asked not to.</summary>
    public static string StripFence(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.Trim();
        if (
            trimmed.StartsWith("```", StringComparison.Ordinal)
            && trimmed.EndsWith("```", StringComparison.Ordinal)
            && trimmed.Length > 6
        )
        {
            var firstLine = trimmed.IndexOf('\n', StringComparison.Ordinal);
            return firstLine < 0 ? trimmed : trimmed[(firstLine + 1)..^3];
        }
        return trimmed;
    }
}
