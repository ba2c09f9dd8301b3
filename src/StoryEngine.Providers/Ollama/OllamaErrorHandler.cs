using System.Net.Http.Headers;
using System.Text.Json;
using StoryEngine.Providers.Configuration;

namespace StoryEngine.Providers.Ollama;

/// <summary>
/// Ollama's HTTP conventions below OllamaSharp: the optional bearer key (plain Ollama ignores it; a reverse proxy or a
/// hosted Ollama may require it), and error answers read as Ollama writes them, <c>{"error": "…"}</c>. OllamaSharp
/// would throw a bare "Response status code does not indicate success" (or, for 400, an exception without the
/// status), losing the server's words ("try pulling it first") that the chain quotes to the person running us.
/// </summary>
internal sealed class OllamaErrorHandler(HttpMessageHandler inner, BackendOptions backend) : DelegatingHandler(inner)
{
    private const int MaxErrorBodyChars = 2000;

    protected override async Task<HttpResponseMessage> SendAsync(
        HttpRequestMessage request,
        CancellationToken cancellationToken
    )
    {
        if (!string.IsNullOrEmpty(backend.ApiKey))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", backend.ApiKey);
        }
        var response = await base.SendAsync(request, cancellationToken);
        if (response.IsSuccessStatusCode)
        {
            return response;
        }
        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            var detail = ChatTranscript.Truncate(ErrorText(body) ?? body, MaxErrorBodyChars);
            throw new HttpRequestException(
                $"Ollama at {backend.BaseUrl} answered HTTP {(int)response.StatusCode} ({response.ReasonPhrase})"
                    + (detail.Length > 0 ? ": " + detail : ""),
                inner: null,
                response.StatusCode
            );
        }
    }

    private static string? ErrorText(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            return
                json.RootElement.ValueKind == JsonValueKind.Object
                && json.RootElement.TryGetProperty("error", out var error)
                && error.ValueKind == JsonValueKind.String
                ? error.GetString()
                : null;
        }
        catch (JsonException)
        {
            return null; // Not Ollama's shape (a proxy's HTML page, say): the raw body is quoted instead.
        }
    }
}
