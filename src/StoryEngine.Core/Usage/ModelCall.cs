using Microsoft.Extensions.AI;

namespace StoryEngine.Core.Usage;

/// <summary>
/// One finished (or failed, or stopped) model call, as its caller saw it: who it was for, what the backend reported,
/// and the text to estimate from when it reported nothing. Hand it to <see cref="UsageMeter.RecordAsync"/>.
/// </summary>
/// <param name="ReportedPromptTokens">The backend's own count, when it sent one.</param>
/// <param name="EstimatedPromptTokens">What the caller estimated the prompt at (the context builder's figure), used
/// when the backend reported nothing.</param>
/// <param name="CompletionText">What the model wrote, estimated with <c>TokenEstimator</c> when the backend reported no
/// completion count.</param>
public sealed record ModelCall(
    string UserId,
    string? AdventureId,
    string Purpose,
    string? Backend,
    string? Model,
    long? ReportedPromptTokens,
    long? ReportedCompletionTokens,
    long EstimatedPromptTokens = 0,
    string CompletionText = ""
)
{
    /// <summary>A call that failed before the backend answered anything we can count: a row with no tokens, so the call
    /// still shows.</summary>
    public static ModelCall Failed(
        string userId,
        string? adventureId,
        string purpose,
        string? backend = null,
        string? model = null
    ) => new(userId, adventureId, purpose, backend, model, null, null);

    /// <summary>A call made with <see cref="IChatClient.GetResponseAsync"/>: backend, model and usage come from the
    /// response.</summary>
    public static ModelCall From(
        ChatResponse response,
        string userId,
        string? adventureId,
        string purpose,
        long estimatedPromptTokens = 0
    ) =>
        new(
            userId,
            adventureId,
            purpose,
            response.AdditionalProperties?.TryGetValue("backend", out var backend) == true ? backend?.ToString() : null,
            response.ModelId,
            response.Usage?.InputTokenCount,
            response.Usage?.OutputTokenCount,
            estimatedPromptTokens,
            response.Text
        );
}

/// <summary>One row of the usage ledger. <see cref="Estimated"/> says a count came from the estimator, not the
/// backend.</summary>
public sealed record UsageRecord(
    string Id,
    string UserId,
    string? AdventureId,
    string Purpose,
    string? Backend,
    string? Model,
    long PromptTokens,
    long CompletionTokens,
    bool Estimated,
    long CostMicros,
    DateTimeOffset At
)
{
    public long TotalTokens => PromptTokens + CompletionTokens;

    /// <summary>The UTC day the call belongs to, as the ledger groups it.</summary>
    public string Day => UsageDays.Of(At);
}
