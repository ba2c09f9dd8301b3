using StoryEngine.Core;
using StoryEngine.Core.Retention;

namespace StoryEngine.Server.Jobs;

/// <summary>Runs <see cref="RetentionSweep"/> <see cref="PeriodicBackgroundService.SweepStartDelay"/> after start and
/// then every <c>Retention:IntervalMinutes</c> (default 60).</summary>
public sealed partial class RetentionService(
    RetentionSweep sweep,
    RetentionOptions options,
    TimeProvider clock,
    ILogger<RetentionService> logger
) : PeriodicBackgroundService(TimeSpan.FromMinutes(options.IntervalMinutes), clock, logger, SweepStartDelay)
{
    protected override async Task TickAsync(CancellationToken stoppingToken)
    {
        var report = await sweep.RunAsync(stoppingToken);
        if (report.Total > 0)
        {
            LogSwept(Logger, report.SentMail, report.ResetTokens, report.Sessions);
        }
    }

    [LoggerMessage(
        EventId = LogEvents.Sweeps.RetentionSwept,
        Level = LogLevel.Information,
        Message = "Retention sweep removed {Mail} sent mails, {Tokens} expired reset tokens and {Sessions} ended "
            + "sessions"
    )]
    private static partial void LogSwept(ILogger logger, int mail, int tokens, int sessions);
}
