namespace StoryEngine.Core.Usage;

/// <summary>One of a user's token quotas right now: what is used, the limit (null: none) and when it starts
/// over.</summary>
public sealed record QuotaState(string Name, long Used, long? Limit, DateTimeOffset ResetsAt)
{
    public long? Remaining => Limit is { } limit ? Math.Max(0, limit - Used) : null;
}

/// <summary>A user's tier and both quotas, with an admin's per-user overrides applied.</summary>
public sealed record QuotaStatus(string Tier, QuotaState Daily, QuotaState Monthly);
