namespace StoryEngine.Core.Errors;

/// <summary>The caller is known but may not do this (not an admin, or the account is disabled).</summary>
public sealed class ForbiddenException(string message, string code = "forbidden") : StoryEngineException(code, message);

/// <summary>
/// Too many failed sign-ins for one account or from one address: the caller must wait
/// <see cref="RetryAfter"/> before trying again. The message never says which of the two it was.
/// </summary>
public sealed class TooManyAttemptsException(TimeSpan retryAfter)
    : StoryEngineException(
        "login_throttled",
        $"Too many failed sign-ins. Wait {Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds))} seconds before "
            + "trying again."
    )
{
    public TimeSpan RetryAfter { get; } = retryAfter;
}
