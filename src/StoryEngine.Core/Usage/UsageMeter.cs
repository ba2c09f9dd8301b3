using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using StoryEngine.Core.Accounts;
using StoryEngine.Core.Narration;
using StoryEngine.Core.Resources;

namespace StoryEngine.Core.Usage;

/// <summary>
/// The one place model calls are metered (docs/adr/0013-usage-ledger-and-quotas.md). Every caller of a model does two
/// things: <see cref="EnsureWithinQuotaAsync"/> before the call (throws <see cref="QuotaExceededException"/>), and
/// <see cref="RecordAsync"/> after it, whether it succeeded, failed or was stopped.
/// </summary>
public sealed partial class UsageMeter(
    IUsageLedger ledger,
    UsageOutbox unwritten,
    IUserStore users,
    TierCatalog tiers,
    PriceList prices,
    TokenEstimator estimator,
    TimeProvider clock,
    ILogger<UsageMeter> logger
)
{
    // Rows the database refused while it was away go to the outbox (on disk, so a kill does not lose them) and are
    // written by WriteUnwrittenAsync when it is back (issue 15, fault 2: the ledger must equal what the backends
    // reported). Each keeps its id, and the ledger skips an id it already has, so a row whose first write did commit
    // is not counted twice.

    /// <summary>Ledger rows waiting for the database (those an earlier process left in the outbox too).</summary>
    public int UnwrittenCount => unwritten.Count;

    /// <summary>
    /// Writes the call's ledger row: the backend's counts where it reported them, otherwise the estimator's (and the
    /// row says so). A failure to write is never thrown: the call has happened and its caller's work must not be lost
    /// because of the meter. The row is kept in the outbox and written when the database is back.
    /// </summary>
    /// <param name="syncedByNextWrite">The caller commits an ordinary write right after (see
    /// <see cref="IUsageLedger.AppendAsync"/>).</param>
    public async Task<UsageRecord> RecordAsync(
        ModelCall call,
        CancellationToken cancellationToken,
        bool syncedByNextWrite = false
    )
    {
        var prompt = call.ReportedPromptTokens ?? Math.Max(0, call.EstimatedPromptTokens);
        var completion = call.ReportedCompletionTokens
            ?? (call.CompletionText.Length == 0 ? 0 : estimator.Estimate(call.CompletionText, call.Model));
        var estimated = call.ReportedPromptTokens is null || call.ReportedCompletionTokens is null;
        var record = new UsageRecord(
            Ids.New(),
            call.UserId,
            call.AdventureId,
            call.Purpose,
            call.Backend,
            call.Model,
            prompt,
            completion,
            estimated,
            prices.CostMicros(call.Model, prompt, completion),
            clock.GetUtcNow()
        );
        Telemetry.StoryMetrics.RecordModelCall(
            call.Purpose,
            call.Backend,
            call.Model,
            prompt,
            completion,
            record.CostMicros
        );
        try
        {
            if (!await ledger.AppendAsync(record, cancellationToken, syncedByNextWrite))
            {
                LogUserGone(logger, call.UserId, call.Purpose);
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException and not OperationCanceledException)
        {
            LogDeferred(logger, e, call.UserId, call.Purpose, record.TotalTokens);
            unwritten.Add(record);
        }
        return record;
    }

    /// <summary>Writes the rows kept while the database was away; returns how many were written now.</summary>
    public async Task<int> WriteUnwrittenAsync(CancellationToken cancellationToken)
    {
        var written = 0;
        foreach (var record in unwritten.Rows)
        {
            try
            {
                await ledger.AppendAsync(record, cancellationToken); // false: the user is gone, or it is there already
            }
            catch (Exception e) when (e is System.Data.Common.DbException or TimeoutException or IOException)
            {
                LogNotRecorded(logger, e, record.UserId, record.Purpose, record.TotalTokens);
                break; // still away: the next tick tries again
            }
            unwritten.Remove(record.Id);
            written++;
        }
        if (written > 0)
        {
            LogWrittenLate(logger, written);
        }
        return written;
    }

    /// <summary>
    /// Makes one non-streamed model call for <paramref name="userId"/> and records it: from the response when it
    /// answered, as a failed call (no tokens) when it threw. Background jobs call models through this.
    /// </summary>
    public async Task<ChatResponse> MeterAsync(
        string userId,
        string? adventureId,
        string purpose,
        IEnumerable<ChatMessage> prompt,
        Func<Task<ChatResponse>> call
    )
    {
        ChatResponse response;
        try
        {
            response = await call();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            await RecordAsync(ModelCall.Failed(userId, adventureId, purpose), CancellationToken.None);
            throw;
        }
        // The prompt is estimated only when the backend reported no count of its own.
        var estimate = response.Usage?.InputTokenCount is null
            ? estimator.Estimate(string.Join('\n', prompt.Select(m => m.Text)), response.ModelId)
            : 0;
        await RecordAsync(ModelCall.From(response, userId, adventureId, purpose, estimate), CancellationToken.None);
        return response;
    }

    /// <summary>The user's tier and where they stand against both quotas now.</summary>
    public async Task<QuotaStatus> StatusAsync(string userId, CancellationToken cancellationToken)
    {
        var user = await users.GetAsync(userId, cancellationToken)
            ?? throw new Errors.NotFoundException("user", userId);
        return await StatusAsync(user, cancellationToken);
    }

    public async Task<QuotaStatus> StatusAsync(User user, CancellationToken cancellationToken)
    {
        var tier = tiers.Resolve(user.Tier);
        var now = clock.GetUtcNow();
        var dayStart = UsageDays.StartOfDay(now);
        var monthStart = UsageDays.StartOfMonth(now);
        var monthly = await ledger.TokensSinceAsync(user.Id, monthStart, cancellationToken);
        var daily =
            dayStart == monthStart ? monthly : await ledger.TokensSinceAsync(user.Id, dayStart, cancellationToken);
        return new QuotaStatus(
            tier.Name,
            new QuotaState("daily", daily, user.DailyTokenQuota ?? tier.DailyTokens, dayStart.AddDays(1)),
            new QuotaState("monthly", monthly, user.MonthlyTokenQuota ?? tier.MonthlyTokens, monthStart.AddMonths(1))
        );
    }

    /// <summary>
    /// Refuses a call that would take the user over a quota: one is over when what is already used plus
    /// <paramref name="reserveTokens"/> (the most this call may write) is more than the limit. Call it before anything
    /// is written or sent.
    /// </summary>
    public async Task EnsureWithinQuotaAsync(string userId, long reserveTokens, CancellationToken cancellationToken)
    {
        var user = await users.GetAsync(userId, cancellationToken)
            ?? throw new Errors.NotFoundException("user", userId);
        var tier = tiers.Resolve(user.Tier);
        if (
            (user.DailyTokenQuota ?? tier.DailyTokens) is null
            && (user.MonthlyTokenQuota ?? tier.MonthlyTokens) is null
        )
        {
            return; // unlimited: no ledger query on the turn's path
        }
        var status = await StatusAsync(user, cancellationToken);
        foreach (var quota in new[] { status.Monthly, status.Daily })
        {
            if (quota.Limit is { } limit && quota.Used + Math.Max(1, reserveTokens) > limit)
            {
                var wait = quota.ResetsAt - clock.GetUtcNow();
                throw new QuotaExceededException(
                    quota.Name,
                    quota.Used,
                    limit,
                    quota.ResetsAt,
                    wait < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : wait
                );
            }
        }
    }

    [LoggerMessage(
        EventId = LogEvents.Usage.NotRecorded,
        Level = LogLevel.Warning,
        Message = "Could not yet record {Tokens} tokens of {Purpose} for user {UserId}; retrying at the next tick"
    )]
    private static partial void LogNotRecorded(
        ILogger logger,
        Exception exception,
        string userId,
        string purpose,
        long tokens
    );

    [LoggerMessage(
        EventId = LogEvents.Usage.Deferred,
        Level = LogLevel.Warning,
        Message = "Could not record {Tokens} tokens of {Purpose} for user {UserId} now; the row is kept in the outbox "
            + "and written when the database is back"
    )]
    private static partial void LogDeferred(
        ILogger logger,
        Exception exception,
        string userId,
        string purpose,
        long tokens
    );

    [LoggerMessage(
        EventId = LogEvents.Usage.WrittenLate,
        Level = LogLevel.Information,
        Message = "Wrote {Count} usage rows kept while the database was away"
    )]
    private static partial void LogWrittenLate(ILogger logger, int count);

    [LoggerMessage(
        EventId = LogEvents.Usage.UserGone,
        Level = LogLevel.Information,
        Message = "No usage row for " + "{Purpose}: user {UserId} was deleted while the call ran"
    )]
    private static partial void LogUserGone(ILogger logger, string userId, string purpose);
}
