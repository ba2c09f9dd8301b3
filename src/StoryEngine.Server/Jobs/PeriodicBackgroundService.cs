using System.Data.Common;
using StoryEngine.Core;

namespace StoryEngine.Server.Jobs;

/// <summary>
/// A hosted service that does one piece of work at start (or <c>firstTickAfter</c> it) and then once per period, on a
/// <see cref="PeriodicTimer"/> driven by the given <see cref="TimeProvider"/> (so a test can move time with a fake
/// one). A tick that fails because the database is away is logged and the next tick tries again; keeping rows a little
/// longer loses nothing.
/// </summary>
/// <param name="period">How long from one tick to the next.</param>
/// <param name="clock">The clock the timer runs on.</param>
/// <param name="logger">Where a failed tick is logged.</param>
/// <param name="firstTickAfter">How long after start the first tick waits: a sweep that can wait passes
/// <see cref="SweepStartDelay"/>, so it does not take the database's writer while the server answers its first
/// requests (issue 19: start-up).</param>
public abstract partial class PeriodicBackgroundService(
    TimeSpan period,
    TimeProvider clock,
    ILogger logger,
    TimeSpan firstTickAfter = default
) : BackgroundService
{
    /// <summary>The first tick of a sweep that nothing waits for comes this long after start.</summary>
    public static readonly TimeSpan SweepStartDelay = TimeSpan.FromSeconds(10);

    protected TimeProvider Clock { get; } = clock;

    protected ILogger Logger { get; } = logger;

    /// <summary>The work of one tick.</summary>
    protected abstract Task TickAsync(CancellationToken stoppingToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            if (firstTickAfter > TimeSpan.Zero)
            {
                await Task.Delay(firstTickAfter, Clock, stoppingToken);
            }
            using var timer = new PeriodicTimer(period, Clock);
            do
            {
                try
                {
                    await TickAsync(stoppingToken);
                }
                catch (DbException e)
                {
                    LogTickFailed(Logger, e, GetType().Name);
                }
            } while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    [LoggerMessage(
        EventId = LogEvents.Sweeps.TickFailed,
        Level = LogLevel.Warning,
        Message = "{Service} failed; it will run again at the next interval"
    )]
    private static partial void LogTickFailed(ILogger logger, Exception exception, string service);
}
