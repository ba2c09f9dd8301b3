using StoryEngine.Core.Trash;
using StoryEngine.Server.Jobs;

namespace StoryEngine.Server.Hosting;

public static class TrashServiceCollectionExtensions
{
    /// <summary>
    /// The trash sweep: <see cref="TrashPurgeJob"/> (the CLI runs it too) and, unless <c>Trash:PurgeEnabled</c> is
    /// false, the service that runs it every <c>Trash:PurgeIntervalMinutes</c>.
    /// </summary>
    public static IServiceCollection AddTrashPurge(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<TrashPurgeJob>();
        if (configuration.GetValue("Trash:PurgeEnabled", true))
        {
            services.AddHostedService<TrashPurgeService>();
        }
        return services;
    }
}
