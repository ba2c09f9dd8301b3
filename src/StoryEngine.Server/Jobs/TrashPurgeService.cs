using System.Data.Common;
using StoryEngine.Core;
using StoryEngine.Server.Hosting;
using StoryEngine.Core.Trash;

namespace StoryEngine.Server.Jobs;

/// <summary>Runs <see cref="TrashPurgeJob"/> at start and then every <c>Trash:PurgeIntervalMinutes</c> (default 60).</summary>
public sealed partial class TrashPurgeService(TrashPurgeJob job, IConfiguration configuration, ILogger<TrashPurgeService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var minutes = configuration.GetValue("Trash:PurgeIntervalMinutes", 60);
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(Math.Max(1, minutes)));
        do
        {
            try
            {
                var purged = await job.ExecuteAsync(stoppingToken);
                if (purged > 0)
                {
                    LogPurged(logger, purged);
                }
            }
            catch (DbException e)
            {
                // The next tick tries again; nothing is lost by waiting.
                LogFailed(logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(EventId = LogEvents.Sweeps.TrashPurged, Level = LogLevel.Information, Message = "Trash sweep removed {Count} rows deleted more than 30 days ago")]
    private static partial void LogPurged(ILogger logger, int count);

    [LoggerMessage(EventId = LogEvents.Sweeps.TrashSweepFailed, Level = LogLevel.Warning, Message = "Trash sweep failed; it will run again at the next interval")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}

public static class JobsServiceCollectionExtensions
{
    public static IServiceCollection AddStoryJobs(this IServiceCollection services, IConfiguration configuration)
    {
        if (configuration.GetValue("Trash:PurgeEnabled", true))
        {
            services.AddHostedService<TrashPurgeService>();
        }
        services.AddOptions<Core.Retention.RetentionOptions>().BindConfiguration(Core.Retention.RetentionOptions.Section)
            .Validate(o => o.IntervalMinutes is >= 1 and <= 10_080, "Retention:IntervalMinutes must be between 1 and 10080.")
            .Validate(o => o.SentMailDays is >= 0 and <= 3650, "Retention:SentMailDays must be between 0 and 3650.")
            .Validate(o => o.EndedSessionDays is >= 0 and <= 3650, "Retention:EndedSessionDays must be between 0 and 3650.")
            .ValidateOnStart();
        services.AddSingleton(sp => sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<Core.Retention.RetentionOptions>>().Value);
        services.AddSingleton<Core.Retention.IRetentionStore, Storage.Retention.RetentionStore>();
        services.AddSingleton<Core.Retention.RetentionSweep>();
        if (configuration.GetValue("Retention:Enabled", true))
        {
            services.AddHostedService<RetentionService>();
        }
        services.AddJobQueue(configuration).AddWorldState();
        return services;
    }
}
