namespace StoryEngine.Core.Speech;

/// <summary>
/// One speech backend (<c>Speech:Backends:{name}</c>): turns one plain-text passage into PCM. Implementations:
/// espeak-ng
/// as a process per request, and any OpenAI-compatible <c>/v1/audio/speech</c> endpoint (Server/Speech). A failure
/// throws <see cref="SpeechBackendException"/>; <see cref="SpeechChain"/> falls back to the next backend.
/// </summary>
public interface ISpeechSynthesizer
{
    /// <summary>The backend's name in configuration.</summary>
    string Name { get; }

    /// <summary>The voice used when a request names none, or one this backend does not have.</summary>
    string DefaultVoice { get; }

    /// <summary>The voice this backend will speak <paramref name="voice"/> with: itself when the backend has it, else
    /// <see cref="DefaultVoice"/> (a voice named for another backend falls back rather than fails).</summary>
    string ResolveVoice(string? voice);

    Task<PcmAudio> SynthesizeAsync(SpeechRequest request, CancellationToken cancellationToken);
}

/// <summary>Encodes PCM into the one format audio is stored in (MP3, docs/adr/0055-speech-as-mp3.md).</summary>
public interface IAudioEncoder
{
    string MediaType { get; }

    Task<EncodedAudio> EncodeAsync(PcmAudio audio, CancellationToken cancellationToken);
}

/// <summary>A speech backend could not answer (not installed, refused, timed out, answered something that is not
/// audio).</summary>
public sealed class SpeechBackendException(string backend, string message, Exception? inner = null)
    : Exception($"Speech backend '{backend}': {message}", inner)
{
    public string Backend { get; } = backend;
}
