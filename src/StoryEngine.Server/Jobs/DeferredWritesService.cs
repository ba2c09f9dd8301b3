using StoryEngine.Core;
using StoryEngine.Core.Errors;
using StoryEngine.Core.Narration;
using StoryEngine.Core.Usage;

namespace StoryEngine.Server.Jobs;

/// <summary>
/// Issue 15: writes what a database outage held back, and settles turns left streaming. Every
/// <see cref="Period"/> it writes the kept narration outcomes and usage rows (nothing is read when nothing is kept);
/// every <see cref="SweepPeriod"/> it also marks interrupted the streaming turns that no live run narrates
/// (<see cref="TurnService.OrphanAfter"/> says when a turn counts as orphaned). The first tick comes a period after
/// start, not while the first requests are answered.
/// </summary>
public sealed partial class DeferredWritesService(
    TurnService turns,
    OutcomeWriter outcomes,
    UsageMeter usage,
    TimeProvider clock,
    ILogger<DeferredWritesService> logger
) : PeriodicBackgroundService(Period, clock, logger, Period)
{
    public static readonly TimeSpan Period = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan SweepPeriod = TimeSpan.FromMinutes(1);
    private DateTimeOffset _nextSweep = DateTimeOffset.MinValue;

    protected override async Task TickAsync(CancellationToken stoppingToken)
    {
        var sweep = Clock.GetUtcNow() >= _nextSweep;
        if (!sweep && outcomes.PendingCount == 0 && usage.UnwrittenCount == 0)
        {
            return;
        }
        try
        {
            await usage.WriteUnwrittenAsync(stoppingToken);
            var settled = await turns.SettleAsync(sweep, stoppingToken);
            if (sweep)
            {
                _nextSweep = Clock.GetUtcNow() + SweepPeriod;
            }
            if (settled > 0)
            {
                LogSettled(Logger, settled);
            }
        }
        catch (Exception e) when (OutcomeWriter.IsStorageFault(e) || e is StoryEngineException)
        {
            // The database is still away, or a turn's adventure went meanwhile: the next tick tries again.
            LogSettleFailed(Logger, e);
        }
    }

    [LoggerMessage(
        EventId = LogEvents.Narration.OrphanSwept,
        Level = LogLevel.Information,
        Message = "Settled {Count} turns left streaming (outcomes kept through an outage, or orphaned narrations)"
    )]
    private static partial void LogSettled(ILogger logger, int count);

    [LoggerMessage(
        EventId = LogEvents.Narration.SettleFailed,
        Level = LogLevel.Warning,
        Message = "Could not yet write what the last database outage held back; retrying"
    )]
    private static partial void LogSettleFailed(ILogger logger, Exception exception);
}
