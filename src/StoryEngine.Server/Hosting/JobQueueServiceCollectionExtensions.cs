using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using StoryEngine.Core.Jobs;
using StoryEngine.Server.Jobs;
using StoryEngine.Storage.Jobs;

namespace StoryEngine.Server.Hosting;

public static class JobQueueServiceCollectionExtensions
{
    /// <summary>
    /// The durable job queue (section <c>Jobs</c>) and, unless <c>Jobs:Enabled</c> is false or the node is a web node
    /// (<c>Cluster:Role</c> web, <c>storyengine serve --role web</c>), its workers and the sweep that purges finished
    /// jobs.
    /// </summary>
    public static IServiceCollection AddJobQueue(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<JobOptions>().BindConfiguration(JobOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<JobOptions>, JobOptionsValidator>();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<JobOptions>>().Value.ToSettings());
        services.AddSingleton<IJobStore, JobStore>();
        services.AddSingleton<JobSignal>();
        // A job waits for quiet before it starts and again before it writes its result (issue 19): a job that started
        // just before a player's move does not land its append between that move and its first token.
        services.AddSingleton(sp => new ForegroundGate(sp.GetRequiredService<TimeProvider>())
        {
            BackgroundWait = TimeSpan.FromMilliseconds(
                sp.GetRequiredService<IOptions<JobOptions>>().Value.YieldToTurnsMilliseconds
            ),
        });
        services.AddSingleton<JobQueue>();
        services.AddSingleton<IJobQueue>(sp => sp.GetRequiredService<JobQueue>());
        services.TryAddSingleton(JobHandlersFactory);
        services.AddSingleton<JobRunner>();
        if (
            configuration.GetValue("Jobs:Enabled", true)
            && !string.Equals(configuration["Cluster:Role"], Cluster.Roles.Web, StringComparison.OrdinalIgnoreCase)
        )
        {
            services.AddHostedService<JobWorkerService>();
            services.AddHostedService<JobPurgeService>();
        }
        return services;
    }

    /// <summary>
    /// Registers <typeparamref name="THandler"/> as the handler of job type <paramref name="type"/> (its
    /// <c>JobType</c>). The handler is a singleton built the first time a job of its type runs (<see
    /// cref="JobHandlers"/>); it is also an <see cref="IJobHandler"/> for whoever asks for all of them.
    /// </summary>
    public static IServiceCollection AddJobHandler<THandler>(this IServiceCollection services, string type)
        where THandler : class, IJobHandler
    {
        services.TryAddSingleton<THandler>();
        services.AddSingleton<IJobHandler>(sp => sp.GetRequiredService<THandler>());
        services.AddSingleton(new JobHandlerType(type, typeof(THandler)));
        services.TryAddSingleton(JobHandlersFactory);
        return services;
    }

    private static JobHandlers JobHandlersFactory(IServiceProvider services) =>
        new(services.GetServices<JobHandlerType>(), services);
}
