using Microsoft.AspNetCore.Mvc;
using StoryEngine.Core.Usage;
using StoryEngine.Server.Web;

namespace StoryEngine.Server.Pages.Account;

/// <summary>
/// The account's tier, where it stands against its quotas, and its model usage by day, model and purpose: the same
/// <see cref="UsageMeter"/> and <see cref="IUsageLedger"/> reads as <c>GET /api/v1/me/usage</c>.
/// </summary>
public sealed class UsageModel(UsageMeter meter, IUsageLedger ledger, TimeProvider clock) : StoryPageModel
{
    /// <summary>First day shown, yyyy-MM-dd (UTC); empty: the first of this month.</summary>
    [BindProperty(SupportsGet = true)]
    public string? From { get; set; }

    /// <summary>Last day shown, yyyy-MM-dd (UTC); empty: today.</summary>
    [BindProperty(SupportsGet = true)]
    public string? To { get; set; }

    public UsageRange? Range { get; private set; }

    public QuotaStatus? Quota { get; private set; }

    public UsageBreakdown? Usage { get; private set; }

    public Task<IActionResult> OnGetAsync(CancellationToken cancellationToken) =>
        AttemptAsync(async () =>
        {
            // The quota is shown even when the days asked for are refused, so the page is never empty.
            Quota = await meter.StatusAsync(UserId, cancellationToken);
            Range = UsageRange.Parse(From, To, clock.GetUtcNow());
            Usage = await ledger.BreakdownAsync(UserId, Range.From, Range.To, cancellationToken);
            return Page();
        });
}
