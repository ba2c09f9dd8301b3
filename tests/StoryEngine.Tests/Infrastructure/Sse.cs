using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace StoryEngine.Tests.Infrastructure;

/// <summary>One Server-Sent Event as a client sees it.</summary>
public sealed record SseEvent(string Event, string? Id, JsonElement Data);

public static class Sse
{
    /// <summary>Sends the request asking for an event stream and reads events as they arrive.</summary>
    public static async IAsyncEnumerable<SseEvent> StreamAsync(
        HttpClient client,
        HttpRequestMessage request,
        [EnumeratorCancellation] CancellationToken cancellationToken = default
    )
    {
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        using var response = await client.SendAsync(
            request,
            HttpCompletionOption.ResponseHeadersRead,
            cancellationToken
        );
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException(
                $"{(int)response.StatusCode}: " + $"{await response.Content.ReadAsStringAsync(cancellationToken)}",
                null,
                response.StatusCode
            );
        }
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
        string? name = null,
            id = null;
        var data = new System.Text.StringBuilder();
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0)
            {
                if (data.Length > 0)
                {
                    yield return new SseEvent(
                        name ?? "message",
                        id,
                        JsonDocument.Parse(data.ToString()).RootElement.Clone()
                    );
                }
                name = null;
                id = null;
                data.Clear();
            }
            else if (line.StartsWith("event:", StringComparison.Ordinal))
            {
                name = line[6..].Trim();
            }
            else if (line.StartsWith("id:", StringComparison.Ordinal))
            {
                id = line[3..].Trim();
            }
            else if (line.StartsWith("data:", StringComparison.Ordinal))
            {
                data.Append(line[5..].TrimStart());
            }
        }
    }

    public static async Task<List<SseEvent>> ReadAllAsync(HttpClient client, HttpRequestMessage request)
    {
        var events = new List<SseEvent>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await foreach (var e in StreamAsync(client, request, timeout.Token))
        {
            events.Add(e);
        }
        return events;
    }
}
