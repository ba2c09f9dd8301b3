using System.Data.Common;
using StoryEngine.Core;
using StoryEngine.Storage;
using StoryEngine.Storage.Backups;

namespace StoryEngine.Server.Backups;

/// <summary>
/// Takes a backup at every multiple of <c>Backups:Schedule</c> (UTC, so every node agrees on the moment), then
/// prunes by retention. With several nodes on one database, the node that claims the slot in <c>backup_runs</c>
/// first takes it (<see cref="BackupRuns"/>); the others skip it.
/// Not a <see cref="Jobs.PeriodicBackgroundService"/>: that ticks at start and then every period from whenever the
/// process started, while backups fall on UTC multiples of the interval (so nodes agree) and never at start.
/// </summary>
public sealed partial class BackupScheduler(
    BackupService backups,
    BackupStatus status,
    IStorageProvider provider,
    Microsoft.Extensions.Options.IOptions<BackupOptions> options,
    TimeProvider time,
    ILogger<BackupScheduler> logger
) : BackgroundService
{
    /// <summary>When the next scheduled backup is due; null while none is waited for.</summary>
    public DateTimeOffset? NextRun { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (status.Interval is not { } interval)
        {
            return;
        }
        DateTimeOffset? last = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            var now = time.GetUtcNow();
            var current = new DateTimeOffset(now.UtcTicks / interval.Ticks * interval.Ticks, TimeSpan.Zero);
            // The slot after the last one run, even when this loop comes round late (a slow backup, a paused
            // process); the first slot is the next boundary, so a start never takes a backup at once.
            var next = last is { } done ? (done + interval > current ? done + interval : current) : current + interval;
            // The wait is set up before NextRun says what it waits for: whoever reads NextRun and then moves the clock
            // (a test's fake one) finds the timer already running from the time it was read against.
            var waiting = next > now ? Task.Delay(next - now, time, stoppingToken) : Task.CompletedTask;
            NextRun = next;
            try
            {
                await waiting;
            }
            catch (OperationCanceledException)
            {
                return;
            }
            await RunOnceAsync(next, stoppingToken);
            last = next;
        }
    }

    /// <summary>This process, as <c>backup_runs.node</c> records it.</summary>
    public string Node { get; init; } = $"{Environment.MachineName}/{Environment.ProcessId}";

    /// <summary>One scheduled run: claim the slot (another node may have), back up, prune.</summary>
    public async Task RunOnceAsync(DateTimeOffset slot, CancellationToken cancellationToken)
    {
        try
        {
            if (!await new BackupRuns(provider).TryClaimAsync(slot, Node, time.GetUtcNow(), cancellationToken))
            {
                LogSkipped(logger, $"another node took the backup of {slot:u}");
                return;
            }
            await backups.TakeAsync(null, options.Value.IncludeKeys, cancellationToken);
            foreach (var deleted in backups.Prune())
            {
                LogPruned(logger, deleted);
            }
        }
        catch (Exception e) when (e is DbException or IOException or BackupException or UnauthorizedAccessException)
        {
            // Recorded in last-backup.json by the service; the next interval tries again.
            LogFailed(logger, e);
        }
    }

    [LoggerMessage(
        EventId = LogEvents.Backups.Failed,
        Level = LogLevel.Error,
        Message = "Scheduled backup failed; the next interval tries again"
    )]
    private static partial void LogFailed(ILogger logger, Exception exception);

    [LoggerMessage(
        EventId = LogEvents.Backups.Skipped,
        Level = LogLevel.Information,
        Message = "Scheduled backup skipped: {Reason}"
    )]
    private static partial void LogSkipped(ILogger logger, string reason);

    [LoggerMessage(
        EventId = LogEvents.Backups.Pruned,
        Level = LogLevel.Information,
        Message = "Retention removed backup {Path}"
    )]
    private static partial void LogPruned(ILogger logger, string path);
}
