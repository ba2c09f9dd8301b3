using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;

namespace StoryEngine.Core.Speech;

/// <summary>
/// The configured speech backends in order (<c>Speech:Chain</c>), espeak-ng last as the local fallback that needs no
/// network. A passage is spoken by one backend from start to end, sentence by sentence, so its sentence timings are
/// exact and its voice does not change half-way; when a backend fails, the whole passage is spoken again by the
/// next. A failed backend is skipped for <see cref="SpeechOptions.CooldownSeconds"/> (its health), unless every
/// backend is cooling down, when each is tried anyway.
/// </summary>
public sealed partial class SpeechChain(
    IEnumerable<ISpeechSynthesizer> backends,
    IAudioEncoder encoder,
    SpeechOptions options,
    TimeProvider clock,
    ILogger<SpeechChain> logger
)
{
    private readonly ISpeechSynthesizer[] _backends = Order(backends.ToArray(), options.Chain);
    private readonly Dictionary<string, DateTimeOffset> _downUntil = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <summary>The silence between two sentences.</summary>
    public static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(350);

    public IReadOnlyList<ISpeechSynthesizer> Backends => _backends;

    public string MediaType => encoder.MediaType;

    /// <summary>Each backend's name and whether it is cooling down after a failure now.</summary>
    public IReadOnlyList<(string Name, bool Healthy)> Health()
    {
        var now = clock.GetUtcNow();
        lock (_gate)
        {
            return _backends
                .Select(b => (b.Name, !_downUntil.TryGetValue(b.Name, out var until) || until <= now))
                .ToArray();
        }
    }

    /// <summary>Speaks <paramref name="text"/> and encodes it, with a timing per sentence.</summary>
    public async Task<RenderedSpeech> RenderAsync(
        string text,
        string? voice,
        double? speed,
        CancellationToken cancellationToken
    )
    {
        var sentences = Sentences(text);
        if (sentences.Count == 0)
        {
            throw new ArgumentException("There is nothing to say.", nameof(text));
        }
        var failures = new List<Exception>();
        foreach (var backend in InTurn())
        {
            try
            {
                var resolved = backend.ResolveVoice(voice ?? options.NarratorVoice);
                var (pcm, timings) = await SpeakAsync(
                    backend,
                    sentences,
                    resolved,
                    speed ?? options.Speed,
                    cancellationToken
                );
                var audio = await encoder.EncodeAsync(pcm, cancellationToken);
                MarkHealthy(backend.Name);
                return new RenderedSpeech(audio, timings, backend.Name, resolved);
            }
            catch (SpeechBackendException e)
            {
                failures.Add(e);
                MarkDown(backend.Name);
                LogFellBack(logger, e, backend.Name);
            }
        }
        throw new AggregateException("Every speech backend failed.", failures);
    }

    /// <summary>A passage's sentences: split after ., !, ? or … (with any closing quote), blank ones dropped.</summary>
    public static IReadOnlyList<string> Sentences(string text) =>
        SentenceEnd()
            .Split(text.Replace("\r", "", StringComparison.Ordinal))
            .Select(s => Regex.Replace(s, @"\s+", " ").Trim())
            .Where(s => s.Any(char.IsLetterOrDigit))
            .ToArray();

    private async Task<(PcmAudio Pcm, IReadOnlyList<SentenceTiming> Timings)> SpeakAsync(
        ISpeechSynthesizer backend,
        IReadOnlyList<string> sentences,
        string voice,
        double speed,
        CancellationToken cancellationToken
    )
    {
        // Sentences in parallel: each backend bounds its own concurrency (espeak-ng's processes, the HTTP calls).
        var clips = await Task.WhenAll(
            sentences.Select(s => backend.SynthesizeAsync(new SpeechRequest(s, voice, speed), cancellationToken))
        );
        var rate = clips[0].SampleRate;
        if (clips.Any(c => c.SampleRate != rate))
        {
            throw new SpeechBackendException(backend.Name, "answered sentences at different sample rates.");
        }
        var pause = PcmAudio.Silence(rate, Pause);
        using var joined = new MemoryStream();
        var timings = new List<SentenceTiming>(sentences.Count);
        for (var i = 0; i < clips.Length; i++)
        {
            var start = (int)(joined.Length / 2 * 1000 / rate);
            joined.Write(clips[i].Samples);
            timings.Add(new SentenceTiming(i, sentences[i], start, (int)(joined.Length / 2 * 1000 / rate)));
            joined.Write(pause.Samples);
        }
        return (new PcmAudio(rate, joined.ToArray()), timings);
    }

    private IEnumerable<ISpeechSynthesizer> InTurn()
    {
        var now = clock.GetUtcNow();
        ISpeechSynthesizer[] healthy;
        lock (_gate)
        {
            healthy = _backends.Where(b => !_downUntil.TryGetValue(b.Name, out var until) || until <= now).ToArray();
        }
        return healthy.Length > 0 ? healthy : _backends;
    }

    private void MarkDown(string name)
    {
        lock (_gate)
        {
            _downUntil[name] = clock.GetUtcNow().AddSeconds(options.CooldownSeconds);
        }
    }

    private void MarkHealthy(string name)
    {
        lock (_gate)
        {
            _downUntil.Remove(name);
        }
    }

    private static ISpeechSynthesizer[] Order(ISpeechSynthesizer[] all, IReadOnlyList<string> chain)
    {
        var ordered = chain
            .Select(n =>
                all.FirstOrDefault(b => b.Name == n)
                ?? throw new InvalidOperationException($"Speech:Chain names '{n}', which no Speech:Backends defines.")
            )
            .ToList();
        // espeak-ng (or any backend left out of the chain) comes after the named ones: the fallback.
        ordered.AddRange(all.Where(b => !ordered.Contains(b)));
        return ordered.ToArray();
    }

    [GeneratedRegex(@"(?<=[.!?…][""”’')\]]*)\s+")]
    private static partial Regex SentenceEnd();

    [LoggerMessage(
        EventId = LogEvents.Speech.FellBack,
        Level = LogLevel.Warning,
        Message = "Speech backend {Backend} failed; trying the next one"
    )]
    private static partial void LogFellBack(ILogger logger, Exception exception, string backend);
}

/// <summary>Settings under <c>Speech</c> (docs/configuration.md).</summary>
public sealed class SpeechOptions
{
    public const string Section = "Speech";

    /// <summary>Backend names in the order they are tried; the built-in espeak-ng backend follows them.</summary>
    public List<string> Chain { get; set; } = [];

    /// <summary>The narrator's voice (a backend's voice name); null: each backend's default.</summary>
    public string? NarratorVoice { get; set; }

    /// <summary>1 is each backend's normal pace; bedtime stories use <see cref="BedtimeSpeed"/>.</summary>
    public double Speed { get; set; } = 1.0;

    /// <summary>A calmer pace for bedtime stories.</summary>
    public double BedtimeSpeed { get; set; } = 0.85;

    /// <summary>How long a failed backend is skipped.</summary>
    public int CooldownSeconds { get; set; } = 30;

    /// <summary>The espeak-ng program (Debian's <c>espeak-ng</c> package).</summary>
    public string EspeakPath { get; set; } = "espeak-ng";

    /// <summary>espeak-ng's voice when a request names none it has.</summary>
    public string EspeakVoice { get; set; } = "en-us";

    /// <summary>espeak-ng processes at once, for the whole server.</summary>
    public int EspeakConcurrency { get; set; } = 2;

    /// <summary>The MP3 encoder (Debian's <c>lame</c> package).</summary>
    public string LamePath { get; set; } = "lame";

    /// <summary>Constant bit rate of the stored MP3s, in kbit/s (mono, 24 kHz).</summary>
    public int BitrateKbps { get; set; } = 32;

    /// <summary>Voice every adventure narration as soon as it completes (otherwise only when asked).</summary>
    public bool AutoRead { get; set; }
}
