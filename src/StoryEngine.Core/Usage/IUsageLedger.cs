using StoryEngine.Core.Resources;

namespace StoryEngine.Core.Usage;

/// <summary>The usage ledger: one row per model call, never changed, removed only with its account.</summary>
public interface IUsageLedger
{
    /// <summary>Appends the row; false when its user no longer exists (an account deleted while its call ran keeps no
    /// row). <paramref name="syncedByNextWrite"/>: the caller commits an ordinary write right after (a narration's
    /// outcome), whose sync makes this row durable too, so this commit need not wait for the disk itself (ADR
    /// 63).</summary>
    Task<bool> AppendAsync(UsageRecord record, CancellationToken cancellationToken, bool syncedByNextWrite = false);

    /// <summary>Prompt plus completion tokens the user spent at or after <paramref name="since"/>.</summary>
    Task<long> TokensSinceAsync(string userId, DateTimeOffset since, CancellationToken cancellationToken);

    /// <summary>One user's totals by day and by model over whole UTC days <paramref name="from"/>..<paramref
    /// name="to"/>.</summary>
    Task<UsageBreakdown> BreakdownAsync(string userId, string from, string to, CancellationToken cancellationToken);

    /// <summary>Everyone's totals over the days, one line per user in id order, paged.</summary>
    Task<Page<UserUsage>> ByUserAsync(
        string from,
        string to,
        int limit,
        string? afterUserId,
        CancellationToken cancellationToken
    );
}

/// <summary>Calls and tokens of one group of ledger rows (a day, a model, a user).</summary>
public sealed record UsageTotals(
    long Calls,
    long PromptTokens,
    long CompletionTokens,
    long EstimatedCalls,
    long CostMicros
)
{
    public static readonly UsageTotals Zero = new(0, 0, 0, 0, 0);

    public long TotalTokens => PromptTokens + CompletionTokens;

    public UsageTotals Plus(UsageTotals other) =>
        new(
            Calls + other.Calls,
            PromptTokens + other.PromptTokens,
            CompletionTokens + other.CompletionTokens,
            EstimatedCalls + other.EstimatedCalls,
            CostMicros + other.CostMicros
        );
}

public sealed record DayUsage(string Day, UsageTotals Totals);

public sealed record ModelUsage(string? Backend, string? Model, UsageTotals Totals);

/// <summary>What the calls were for (<see cref="UsagePurposes"/>): narration, or the background work that follows a
/// turn.</summary>
public sealed record PurposeUsage(string Purpose, UsageTotals Totals);

public sealed record UsageBreakdown(
    IReadOnlyList<DayUsage> ByDay,
    IReadOnlyList<ModelUsage> ByModel,
    IReadOnlyList<PurposeUsage> ByPurpose
)
{
    public UsageTotals Totals => ByDay.Aggregate(UsageTotals.Zero, (sum, day) => sum.Plus(day.Totals));
}

public sealed record UserUsage(string UserId, string? Username, string? Tier, UsageTotals Totals);
