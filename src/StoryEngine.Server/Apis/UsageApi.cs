using Microsoft.AspNetCore.Http.HttpResults;
using StoryEngine.Core.Resources;
using StoryEngine.Core.Usage;
using StoryEngine.Providers.Chain;
using StoryEngine.Providers.Configuration;
using StoryEngine.Server.Auth;
using StoryEngine.Server.Contracts;
using StoryEngine.Server.Health;
using StoryEngine.Server.Http;

namespace StoryEngine.Server.Apis;

/// <summary>Usage and quotas: the caller's own (<c>/me/usage</c>), and for admins everyone's, tiers and quotas, and the
/// backends.</summary>
public static class UsageApi
{
    public static RouteGroupBuilder MapUsageApi(this RouteGroupBuilder api)
    {
        api.MapGet("/me/usage", MyUsage)
            .WithTags("Me")
            .WithName("GetMyUsage")
            .WithSummary(
                "Your tier, your quotas now, and your model usage by day and by model over from..to (UTC "
                    + "days; default this month)"
            )
            .ProducesProblem(400);

        var admin = api.MapGroup("/admin")
            .WithTags("Admin")
            .RequireAuthorization(AuthorizationPolicies.Admin)
            .ProducesProblem(StatusCodes.Status403Forbidden);
        admin
            .MapGet("/usage", AllUsage)
            .WithName("AdminListUsage")
            .WithSummary(
                "Everyone's model usage over from..to (UTC days; default this month), one line per user, " + "paged"
            )
            .ProducesProblem(400);
        admin
            .MapPut("/users/{id}/tier", SetTier)
            .WithName("AdminSetUserTier")
            .WithSummary("Put an account on a configured tier (its quotas and rate " + "limits)")
            .ProducesProblem(400)
            .ProducesProblem(404);
        admin
            .MapPut("/users/{id}/quota", SetQuota)
            .WithName("AdminSetUserQuota")
            .WithSummary(
                "Give an account daily/monthly token quotas of its own; null for either goes back to the " + "tier's"
            )
            .ProducesProblem(400)
            .ProducesProblem(404);
        admin
            .MapGet("/backends", Backends)
            .WithName("AdminListBackends")
            .WithSummary(
                "Every configured model backend: kind, URL, model, circuit state and last error (never its "
                    + "API key), and on this node its gateway queue and cache hit rate; probe=true checks them now"
            );
        return api;
    }

    private static async Task<Ok<MyUsageResponse>> MyUsage(
        HttpContext context,
        UsageMeter meter,
        IUsageLedger ledger,
        TimeProvider clock,
        string? from,
        string? to,
        CancellationToken cancellationToken
    )
    {
        var range = UsageRange.Parse(from, to, clock.GetUtcNow());
        var userId = context.User.UserId();
        var quota = await meter.StatusAsync(userId, cancellationToken);
        var usage = await ledger.BreakdownAsync(userId, range.From, range.To, cancellationToken);
        return TypedResults.Ok(MyUsageResponse.Create(range, quota, usage));
    }

    private static async Task<Ok<AdminUsageResponse>> AllUsage(
        HttpContext context,
        IUsageLedger ledger,
        TierCatalog tiers,
        TimeProvider clock,
        string? from,
        string? to,
        int? limit,
        string? cursor,
        CancellationToken cancellationToken
    )
    {
        var range = UsageRange.Parse(from, to, clock.GetUtcNow());
        var page = ListQuery.From(limit, cursor, null, null);
        var result = await ledger.ByUserAsync(range.From, range.To, page.Limit, page.AfterId, cancellationToken);
        Paging.AddNextLink(context, result.NextCursor);
        return TypedResults.Ok(
            new AdminUsageResponse(
                range.From,
                range.To,
                result
                    .Items.Select(u => new UserUsageResponse(
                        u.UserId,
                        u.Username,
                        tiers.Resolve(u.Tier).Name,
                        UsageTotalsResponse.From(u.Totals)
                    ))
                    .ToArray(),
                result.NextCursor
            )
        );
    }

    private static async Task<Ok<AdminUserResponse>> SetTier(
        string id,
        SetTierRequest? request,
        HttpContext context,
        TierAdministration tiers,
        CancellationToken cancellationToken
    ) =>
        TypedResults.Ok(
            AdminUserResponse.From(
                await tiers.SetTierAsync(context.User.UserId(), id, request?.Tier, context.Origin(), cancellationToken)
            )
        );

    private static async Task<Ok<AdminUserResponse>> SetQuota(
        string id,
        SetQuotaRequest? request,
        HttpContext context,
        TierAdministration tiers,
        CancellationToken cancellationToken
    ) =>
        TypedResults.Ok(
            AdminUserResponse.From(
                await tiers.SetQuotaAsync(
                    context.User.UserId(),
                    id,
                    request?.DailyTokens,
                    request?.MonthlyTokens,
                    context.Origin(),
                    cancellationToken
                )
            )
        );

    private static async Task<Ok<BackendResponse[]>> Backends(
        ProvidersSettings settings,
        BackendChain narrator,
        Providers.BackendFactory factory,
        Gateway.GatewayStatistics statistics,
        bool? probe,
        CancellationToken cancellationToken
    )
    {
        var status =
            probe == true
                ? await narrator.ProbeWithinAsync(TimeSpan.FromSeconds(3), cancellationToken)
                : narrator.Status;
        return TypedResults.Ok(
            BackendResponse
                .ListFrom(settings, status)
                .Select(b => b with { Gateway = GatewayOf(factory.GetGate(b.Name), statistics.For(b.Name)) })
                .ToArray()
        );
    }

    private static BackendGatewayResponse GatewayOf(
        Providers.Gateway.BackendGate gate,
        (long Hits, long Misses) cache
    ) =>
        new(
            gate.MaxConcurrency,
            gate.MaxQueue,
            gate.InteractiveReserve,
            gate.Running,
            gate.Queued,
            gate.Admitted,
            gate.Refused,
            Math.Round(gate.MeanQueueMilliseconds, 1),
            cache.Hits,
            cache.Misses,
            cache.Hits + cache.Misses == 0 ? null : Math.Round((double)cache.Hits / (cache.Hits + cache.Misses), 3)
        );
}
