using Microsoft.Extensions.Options;
using StoryEngine.Core.Speech;
using StoryEngine.Server.Speech;

namespace StoryEngine.Server.Hosting;

public static class SpeechServiceCollectionExtensions
{
    /// <summary>
    /// Speech (section <c>Speech</c>, docs/bedtime.md): the backends under <c>Speech:Backends:{name}</c> in the order
    /// of <c>Speech:Chain</c>, then the built-in espeak-ng backend as the fallback; MP3 encoding with lame
    /// (docs/adr/0055-speech-as-mp3.md).
    /// </summary>
    public static IServiceCollection AddSpeech(this IServiceCollection services, IConfiguration configuration)
    {
        services
            .AddOptions<SpeechOptions>()
            .BindConfiguration(SpeechOptions.Section)
            .Validate(o => o.Speed is >= 0.25 and <= 4, "Speech:Speed must be between 0.25 and 4.")
            .Validate(o => o.BedtimeSpeed is >= 0.25 and <= 4, "Speech:BedtimeSpeed must be between 0.25 and 4.")
            .Validate(o => o.CooldownSeconds is >= 0 and <= 3600, "Speech:CooldownSeconds must be 0 to 3600.")
            .Validate(o => o.EspeakConcurrency is >= 1 and <= 64, "Speech:EspeakConcurrency must be 1 to 64.")
            .Validate(
                o =>
                    o.BitrateKbps
                        is 8
                            or 16
                            or 24
                            or 32
                            or 40
                            or 48
                            or 56
                            or 64
                            or 80
                            or 96
                            or 112
                            or 128
                            or 144
                            or 160,
                "Speech:BitrateKbps must be an MPEG-2 Layer III rate (8, 16, 24, 32, 40, 48, 56, 64, 80, … 160)."
            )
            .ValidateOnStart();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<SpeechOptions>>().Value);
        var backends = Backends(configuration);
        services.AddSingleton<EspeakSynthesizer>();
        foreach (var backend in backends)
        {
            services.AddSingleton<ISpeechSynthesizer>(_ => new OpenAISpeechSynthesizer(
                backend,
                new HttpClient { Timeout = Timeout.InfiniteTimeSpan }
            ));
        }
        // espeak-ng is built in (named "espeak"; its settings are Speech:Espeak*): the fallback of every chain.
        services.AddSingleton<ISpeechSynthesizer>(sp => sp.GetRequiredService<EspeakSynthesizer>());
        services.AddSingleton<IAudioEncoder, LameMp3Encoder>();
        services.AddSingleton<SpeechChain>();
        return services;
    }

    /// <summary>Reads <c>Speech:Backends</c>; a wrong kind or a missing URL fails the start with the key.</summary>
    public static IReadOnlyList<SpeechBackendOptions> Backends(IConfiguration configuration)
    {
        var list = new List<SpeechBackendOptions>();
        foreach (var section in configuration.GetSection("Speech:Backends").GetChildren())
        {
            var backend = new SpeechBackendOptions();
            section.Bind(backend);
            backend.Name = section.Key;
            backend.Kind = backend.Kind.ToLowerInvariant();
            if (backend.Kind != SpeechBackendOptions.OpenAI || backend.Name == EspeakSynthesizer.BackendName)
            {
                throw new OptionsValidationException(
                    section.Path,
                    typeof(SpeechBackendOptions),
                    [
                        $"{section.Path}:Kind must be openai (got '{backend.Kind}'); espeak-ng is built in as "
                            + "'espeak' and set with Speech:EspeakPath, EspeakVoice and EspeakConcurrency.",
                    ]
                );
            }
            if (!Uri.TryCreate(backend.BaseUrl, UriKind.Absolute, out _))
            {
                throw new OptionsValidationException(
                    section.Path,
                    typeof(SpeechBackendOptions),
                    [$"{section.Path}:BaseUrl must be an absolute URL such as http://127.0.0.1:8880/v1."]
                );
            }
            list.Add(backend);
        }
        return list;
    }
}
