using System.Data.Common;
using StoryEngine.Core;

namespace StoryEngine.Server.Jobs;

/// <summary>
/// A hosted service that does one piece of work at start and then once per period, on a <see cref="PeriodicTimer"/>
/// driven by the given <see cref="TimeProvider"/> (so a test can move time with a fake one). A tick that fails
/// because the database is away is logged and the next tick tries again; keeping rows a little longer loses nothing.
/// </summary>
public abstract partial class PeriodicBackgroundService(TimeSpan period, TimeProvider clock, ILogger logger)
    : BackgroundService
{
    protected TimeProvider Clock { get; } = clock;

    protected ILogger Logger { get; } = logger;

    /// <summary>The work of one tick.</summary>
    protected abstract Task TickAsync(CancellationToken stoppingToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(period, Clock);
        try
        {
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
