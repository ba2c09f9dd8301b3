using Microsoft.Extensions.Options;
using StoryEngine.Core.Retention;
using StoryEngine.Server.Jobs;
using StoryEngine.Storage.Retention;

namespace StoryEngine.Server.Hosting;

public static class RetentionServiceCollectionExtensions
{
    /// <summary>
    /// Retention of sent mail, reset tokens and ended sessions (section <c>Retention</c>) and, unless
    /// <c>Retention:Enabled</c> is false, the service that sweeps them every <c>Retention:IntervalMinutes</c>.
    /// </summary>
    public static IServiceCollection AddRetention(this IServiceCollection services, IConfiguration configuration)
    {
        services
            .AddOptions<RetentionOptions>()
            .BindConfiguration(RetentionOptions.Section)
            .Validate(
                o => o.IntervalMinutes is >= 1 and <= 10_080,
                "Retention:IntervalMinutes must be between 1 and 10080."
            )
            .Validate(o => o.SentMailDays is >= 0 and <= 3650, "Retention:SentMailDays must be between 0 and 3650.")
            .Validate(
                o => o.EndedSessionDays is >= 0 and <= 3650,
                "Retention:EndedSessionDays must be between 0 and 3650."
            )
            .ValidateOnStart();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<RetentionOptions>>().Value);
        services.AddSingleton<IRetentionStore, RetentionStore>();
        services.AddSingleton<RetentionSweep>();
        if (configuration.GetValue("Retention:Enabled", true))
        {
            services.AddHostedService<RetentionService>();
        }
        return services;
    }
}
