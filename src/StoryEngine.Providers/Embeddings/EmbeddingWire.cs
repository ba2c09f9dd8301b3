using System.Net.Http.Headers;
using System.Text.Json;
using StoryEngine.Providers.Configuration;

namespace StoryEngine.Providers.Embeddings;

/// <summary>The HTTP plumbing both embedding adapters share: auth header, a per-request time limit, error bodies quoted back.</summary>
internal static class EmbeddingWire
{
    private const int MaxErrorBodyChars = 2000;

    public static async Task<JsonDocument> PostAsync(HttpClient http, BackendOptions backend, Uri uri, object body, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = System.Net.Http.Json.JsonContent.Create(body) };
        if (backend.ApiKey is { Length: > 0 } key)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }
        try
        {
            using var response = await http.SendAsync(request, limit.Token);
            var text = await response.Content.ReadAsStringAsync(limit.Token);
            if (!response.IsSuccessStatusCode)
            {
                throw new HttpRequestException(
                    $"{backend.Name} at {backend.BaseUrl} answered HTTP {(int)response.StatusCode} ({response.ReasonPhrase}) to an embedding request: {ChatTranscript.Truncate(text, MaxErrorBodyChars)}",
                    inner: null, response.StatusCode);
            }
            try
            {
                return JsonDocument.Parse(text);
            }
            catch (JsonException e)
            {
                throw new Errors.BackendProtocolException($"{backend.Name} at {backend.BaseUrl} answered an embedding request with something that is not JSON: {e.Message}");
            }
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"{backend.Name} at {backend.BaseUrl} did not answer an embedding request within {timeout.TotalSeconds:0.#} s (Embeddings:TimeoutSeconds).");
        }
    }

    public static float[] ReadVector(JsonElement array, BackendOptions backend)
    {
        if (array.ValueKind != JsonValueKind.Array)
        {
            throw new Errors.BackendProtocolException($"{backend.Name} at {backend.BaseUrl} answered an embedding request without a vector.");
        }
        var vector = new float[array.GetArrayLength()];
        var i = 0;
        foreach (var value in array.EnumerateArray())
        {
            vector[i++] = value.GetSingle();
        }
        return vector;
    }
}
