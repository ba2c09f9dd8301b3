using System.Globalization;
using StoryEngine.Core.Errors;

namespace StoryEngine.Core.Usage;

/// <summary>
/// A model call that would go over the user's daily or monthly token quota: refused with 429 <c>quota_exceeded</c>
/// and Retry-After before the model is called.
/// </summary>
public sealed class QuotaExceededException(
    string quota,
    long used,
    long limit,
    DateTimeOffset resetsAt,
    TimeSpan retryAfter
)
    : StoryEngineException(
        "quota_exceeded",
        string.Create(
            CultureInfo.InvariantCulture,
            $"Your {quota} token quota is used up: {used:N0} of {limit:N0} tokens. It resets at "
                + $"{resetsAt:yyyy-MM-dd HH:mm} UTC."
        )
    )
{
    /// <summary>"daily" or "monthly".</summary>
    public string Quota { get; } = quota;

    public long Used { get; } = used;

    public long Limit { get; } = limit;

    public DateTimeOffset ResetsAt { get; } = resetsAt;

    public TimeSpan RetryAfter { get; } = retryAfter;
}
