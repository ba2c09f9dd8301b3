using StoryEngine.Core.Usage;
using StoryEngine.Providers.Chain;
using StoryEngine.Providers.Configuration;

namespace StoryEngine.Server.Contracts;

/// <summary>Calls and tokens; <c>cost</c> is in the operator's currency (docs/configuration.md, Prices).</summary>
public sealed record UsageTotalsResponse(
    long Calls,
    long PromptTokens,
    long CompletionTokens,
    long TotalTokens,
    long EstimatedCalls,
    decimal Cost
)
{
    public static UsageTotalsResponse From(UsageTotals t) =>
        new(t.Calls, t.PromptTokens, t.CompletionTokens, t.TotalTokens, t.EstimatedCalls, t.CostMicros / 1_000_000m);
}

public sealed record DayUsageResponse(string Day, UsageTotalsResponse Totals);

public sealed record ModelUsageResponse(string? Backend, string? Model, UsageTotalsResponse Totals);

/// <summary>Usage of one purpose: <c>narration</c>, <c>state</c>, <c>summary</c> or <c>embedding</c>.</summary>
public sealed record PurposeUsageResponse(string Purpose, UsageTotalsResponse Totals);

/// <summary>A token quota: <c>limit</c> and <c>remaining</c> are null when there is none.</summary>
public sealed record QuotaResponse(long Used, long? Limit, long? Remaining, DateTimeOffset ResetsAt)
{
    public static QuotaResponse From(QuotaState q) => new(q.Used, q.Limit, q.Remaining, q.ResetsAt);
}

/// <summary>GET /api/v1/me/usage: the caller's tier and quotas now, and their usage over the days asked for.</summary>
public sealed record MyUsageResponse(
    string From,
    string To,
    string Tier,
    QuotaResponse Daily,
    QuotaResponse Monthly,
    UsageTotalsResponse Totals,
    IReadOnlyList<DayUsageResponse> ByDay,
    IReadOnlyList<ModelUsageResponse> ByModel,
    IReadOnlyList<PurposeUsageResponse> ByPurpose
)
{
    public static MyUsageResponse Create(UsageRange range, QuotaStatus quota, UsageBreakdown usage) =>
        new(
            range.From,
            range.To,
            quota.Tier,
            QuotaResponse.From(quota.Daily),
            QuotaResponse.From(quota.Monthly),
            UsageTotalsResponse.From(usage.Totals),
            usage.ByDay.Select(d => new DayUsageResponse(d.Day, UsageTotalsResponse.From(d.Totals))).ToArray(),
            usage
                .ByModel.Select(m => new ModelUsageResponse(m.Backend, m.Model, UsageTotalsResponse.From(m.Totals)))
                .ToArray(),
            usage
                .ByPurpose.Select(p => new PurposeUsageResponse(p.Purpose, UsageTotalsResponse.From(p.Totals)))
                .ToArray()
        );
}

/// <summary>One user's line of GET /api/v1/admin/usage.</summary>
public sealed record UserUsageResponse(string UserId, string? Username, string Tier, UsageTotalsResponse Totals);

/// <summary>GET /api/v1/admin/usage: the days covered, and one line per user who used anything in them.</summary>
public sealed record AdminUsageResponse(
    string From,
    string To,
    IReadOnlyList<UserUsageResponse> Items,
    string? NextCursor
);

public sealed record SetTierRequest(string? Tier);

/// <summary>A user's own token quotas; null for either means "the tier's".</summary>
public sealed record SetQuotaRequest(long? DailyTokens, long? MonthlyTokens);

/// <summary>A configured backend as an admin sees it: never its API key, only whether one is set.</summary>
public sealed record BackendResponse(
    string Name,
    string Kind,
    string BaseUrl,
    string Model,
    int ContextTokens,
    bool ApiKeyConfigured,
    IReadOnlyList<string> Roles,
    string State,
    string? LastError,
    double? LastLatencyMs,
    DateTimeOffset? LastSuccessAt,
    DateTimeOffset? LastFailureAt,
    string? Detail
)
{
    /// <summary>The model gateway's view of it on this node: queue, concurrency, cache.</summary>
    public BackendGatewayResponse? Gateway { get; init; }

    /// <summary>Every configured backend, in configuration order, each with its status from <paramref
    /// name="status"/>.</summary>
    public static BackendResponse[] ListFrom(ProvidersSettings settings, IReadOnlyList<BackendStatus> status) =>
        settings
            .Backends.Select(b =>
                From(
                    b,
                    settings.Narrator,
                    status.FirstOrDefault(s => string.Equals(s.Name, b.Name, StringComparison.OrdinalIgnoreCase))
                )
            )
            .ToArray();

    public static BackendResponse From(BackendOptions backend, NarratorOptions narrator, BackendStatus? status)
    {
        var roles = new List<string>();
        if (narrator.Backends.Contains(backend.Name, StringComparer.OrdinalIgnoreCase))
        {
            roles.Add("narrator");
        }
        if (narrator.EffectiveUtilityBackends.Contains(backend.Name, StringComparer.OrdinalIgnoreCase))
        {
            roles.Add("utility");
        }
        return new(
            backend.Name,
            backend.Kind,
            SafeUrl(backend.BaseUrl),
            backend.Model,
            backend.ContextTokens,
            !string.IsNullOrEmpty(backend.ApiKey),
            roles,
            StateName(status?.State ?? BackendState.Unknown),
            status?.LastError,
            status?.LastLatency?.TotalMilliseconds,
            status?.LastSuccessAt,
            status?.LastFailureAt,
            status?.Detail
        );
    }

    private static string StateName(BackendState state) =>
        state switch
        {
            BackendState.Up => "up",
            BackendState.Down => "down",
            BackendState.CircuitOpen => "circuit_open",
            _ => "unknown",
        };

    // A base URL may carry credentials (https://user:secret@host) or a key in its query: neither leaves the server.
    private static string SafeUrl(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri)
            ? new UriBuilder(uri)
            {
                UserName = "",
                Password = "",
                Query = "",
            }
                .Uri.ToString()
                .TrimEnd('/')
            : url;
}

/// <summary>DELETE /api/v1/me: the password, and the two-factor code once the account has two-factor sign-in.</summary>
public sealed record DeleteAccountRequest(string? Password, string? TwoFactorCode);
