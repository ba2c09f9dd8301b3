using System.Runtime.CompilerServices;
using System.Text;

namespace StoryEngine.Bench.Harness;

/// <summary>One Server-Sent Event as the client received it.</summary>
internal readonly record struct SseMessage(string Event, string? Id, string Data);

/// <summary>Reads Server-Sent Events from a response body as they arrive (enough of the spec for our server).</summary>
internal static class SseStream
{
    public static async IAsyncEnumerable<SseMessage> ReadAsync(
        Stream body,
        [EnumeratorCancellation] CancellationToken cancellationToken
    )
    {
        using var reader = new StreamReader(body, Encoding.UTF8);
        string? name = null,
            id = null;
        var data = new StringBuilder();
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (line.Length == 0)
            {
                if (data.Length > 0)
                {
                    yield return new SseMessage(name ?? "message", id, data.ToString());
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
                data.Append(line.AsSpan(5).TrimStart());
            }
        }
    }
}
