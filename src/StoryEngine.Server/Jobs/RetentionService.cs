using System.Data.Common;
using StoryEngine.Core;
using StoryEngine.Core.Retention;

namespace StoryEngine.Server.Jobs;

/// <summary>Runs <see cref="RetentionSweep"/> at start and then every <c>Retention:IntervalMinutes</c> (default 60).</summary>
public sealed partial class RetentionService(RetentionSweep sweep, RetentionOptions options, ILogger<RetentionService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(options.IntervalMinutes));
        do
        {
            try
            {
                var report = await sweep.RunAsync(stoppingToken);
                if (report.Total > 0)
                {
                    LogSwept(logger, report.SentMail, report.ResetTokens, report.Sessions);
                }
            }
            catch (DbException e)
            {
                // The next tick tries again; keeping rows a little longer loses nothing.
                LogFailed(logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(EventId = LogEvents.Sweeps.RetentionSwept, Level = LogLevel.Information, Message = "Retention sweep removed {Mail} sent mails, {Tokens} expired reset tokens and {Sessions} ended sessions")]
    private static partial void LogSwept(ILogger logger, int mail, int tokens, int sessions);

    [LoggerMessage(EventId = LogEvents.Sweeps.RetentionSweepFailed, Level = LogLevel.Warning, Message = "Retention sweep failed; it will run again at the next interval")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
