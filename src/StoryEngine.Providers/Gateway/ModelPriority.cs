using Microsoft.Extensions.AI;

namespace StoryEngine.Providers.Gateway;

/// <summary>
/// Who is waiting for a model call, most urgent first: a player's turn, a player's retry, background work (summaries,
/// state, indexing, evaluations). Callers say it in <see cref="ChatOptions.AdditionalProperties"/> under
/// <see cref="OptionKey"/>; a call that says nothing is background work.
/// </summary>
public enum ModelPriority
{
    Interactive = 0,
    Retry = 1,
    Background = 2,
}

public static class ModelPriorities
{
    /// <summary>The key in ChatOptions.AdditionalProperties (Core's <c>NarrationPriority.OptionKey</c> is the same
    /// string: Core does not reference this project).</summary>
    public const string OptionKey = "storyengine.priority";

    /// <summary>The key in the first update's AdditionalProperties that says how long the call queued, in
    /// milliseconds.</summary>
    public const string QueueMillisecondsKey = "storyengine.queueMs";

    public static ModelPriority Of(ChatOptions? options) =>
        options?.AdditionalProperties?.TryGetValue(OptionKey, out var value) == true
            ? value?.ToString() switch
            {
                "interactive" => ModelPriority.Interactive,
                "retry" => ModelPriority.Retry,
                _ => ModelPriority.Background,
            }
            : ModelPriority.Background;
}
