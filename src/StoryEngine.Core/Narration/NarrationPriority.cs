using StoryEngine.Core.Errors;

namespace StoryEngine.Core.Narration;

/// <summary>
/// How urgent a model call is, for the gateway in front of each backend (issue 21): said in the call's
/// <c>ChatOptions.AdditionalProperties</c> under <see cref="OptionKey"/> (the same string as
/// <c>StoryEngine.Providers.Gateway.ModelPriorities.OptionKey</c>). A player's turn is interactive, a retry comes next,
/// and a call that says nothing (summaries, state, indexing) is background work.
/// </summary>
public static class NarrationPriority
{
    public const string OptionKey = "storyengine.priority";
    public const string QueueMillisecondsKey = "storyengine.queueMs";
    public const string Interactive = "interactive";
    public const string Retry = "retry";
    public const string Background = "background";
}

/// <summary>Every backend of the narrator is at its limit with a full queue: 503 <c>backends_busy</c> with
/// Retry-After, before anything is written.</summary>
public sealed class BackendsBusyException()
    : StoryEngineException(
        ProblemCode,
        "Every storyteller is busy right now and the queue is full; nothing was written. Try again in a few seconds."
    )
{
    public const string ProblemCode = "backends_busy";
}
