using StoryEngine.Core.Bedtime;
using StoryEngine.Core.Jobs;
using StoryEngine.Core.Narration;
using StoryEngine.Core.Speech;
using StoryEngine.Storage.Bedtime;
using StoryEngine.Storage.Speech;

namespace StoryEngine.Server.Hosting;

public static class BedtimeServiceCollectionExtensions
{
    /// <summary>
    /// Bedtime stories and narration audio (issue 25, docs/bedtime.md): the stores, the content guard, the writing
    /// and voicing jobs, and the observer that voices narrations when <c>Speech:AutoRead</c> is on.
    /// </summary>
    public static IServiceCollection AddBedtime(this IServiceCollection services)
    {
        services.AddSingleton<IBedtimeStore, BedtimeStore>();
        services.AddSingleton<ISpeechAudioStore, SpeechAudioStore>();
        services.AddSingleton<BedtimeSignals>();
        services.AddSingleton<ContentGuard>();
        services.AddSingleton<BedtimeService>();
        services.AddJobHandler<BedtimeWriter>(BedtimeWriter.JobType);
        services.AddJobHandler<BedtimeVoicer>(BedtimeVoicer.JobType);
        services.AddJobHandler<TurnVoicer>(TurnVoicer.JobType);
        services.AddSingleton<INarrationObserver, AutoReadObserver>();
        return services;
    }
}
