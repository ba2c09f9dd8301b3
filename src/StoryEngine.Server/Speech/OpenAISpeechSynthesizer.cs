using System.Net.Http.Headers;
using System.Net.Http.Json;
using StoryEngine.Core.Speech;

namespace StoryEngine.Server.Speech;

/// <summary>
/// Any OpenAI-compatible speech endpoint: <c>POST {BaseUrl}/audio/speech</c> with <c>{model, input, voice, speed,
/// response_format: "wav"}</c>. WAV is asked for (not the server's MP3 or Opus) so every backend's audio is joined
/// and encoded the same way.
/// </summary>
public sealed class OpenAISpeechSynthesizer(SpeechBackendOptions backend, HttpClient http)
    : ISpeechSynthesizer,
        IDisposable
{
    private readonly SemaphoreSlim _slots = new(Math.Max(1, backend.MaxConcurrency));

    public string Name => backend.Name;

    public string DefaultVoice => backend.DefaultVoice;

    public string ResolveVoice(string? voice) =>
        voice is { Length: > 0 and <= 64 }
        && (backend.Voices.Count == 0 || backend.Voices.Contains(voice, StringComparer.OrdinalIgnoreCase))
            ? voice
            : DefaultVoice;

    public async Task<PcmAudio> SynthesizeAsync(SpeechRequest request, CancellationToken cancellationToken)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, backend.BaseUrl.TrimEnd('/') + "/audio/speech")
        {
            Content = JsonContent.Create(
                new Body(backend.Model, request.Text, ResolveVoice(request.Voice), request.Speed, "wav")
            ),
        };
        if (!string.IsNullOrEmpty(backend.ApiKey))
        {
            message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", backend.ApiKey);
        }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(backend.TimeoutSeconds));
        await _slots.WaitAsync(cancellationToken);
        try
        {
            using var response = await http.SendAsync(message, timeout.Token);
            if (!response.IsSuccessStatusCode)
            {
                throw new SpeechBackendException(Name, $"answered HTTP {(int)response.StatusCode}.");
            }
            return Wav.Read(await response.Content.ReadAsByteArrayAsync(timeout.Token));
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new SpeechBackendException(Name, $"did not answer within {backend.TimeoutSeconds} s.", e);
        }
        catch (Exception e) when (e is HttpRequestException or InvalidDataException)
        {
            throw new SpeechBackendException(Name, e.Message, e);
        }
        finally
        {
            _slots.Release();
        }
    }

    public void Dispose() => _slots.Dispose();

    private sealed record Body(
        [property: System.Text.Json.Serialization.JsonPropertyName("model")] string Model,
        [property: System.Text.Json.Serialization.JsonPropertyName("input")] string Input,
        [property: System.Text.Json.Serialization.JsonPropertyName("voice")] string Voice,
        [property: System.Text.Json.Serialization.JsonPropertyName("speed")] double Speed,
        [property: System.Text.Json.Serialization.JsonPropertyName("response_format")] string ResponseFormat
    );
}
