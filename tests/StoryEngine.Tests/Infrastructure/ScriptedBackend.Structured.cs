using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace StoryEngine.Tests.Infrastructure;

/// <summary>
/// Structured (JSON-schema) answers for utility calls such as world state extraction. A request that asks for a
/// <c>response_format</c> is answered with the next reply scripted for a marker its messages contain, streamed like
/// any narration; without a script it gets an answer that changes nothing (for state_change) or <c>{}</c>.
/// Structured requests are kept in <see cref="StructuredRequests"/>, not in <see cref="Requests"/>, so tests that read
/// what the narrator was sent do not see them.
/// </summary>
public sealed partial class ScriptedBackend
{
    /// <summary>A scripted reply that never comes: the request hangs until the caller goes away (a server killed
    /// mid-job).</summary>
    public const string Hang = "{{hang}}";

    public const string NoStateChange = """{"timeOfDay":null,"newCharacters":[],"characters":[],"quests":[]}""";

    private readonly ConcurrentDictionary<string, ConcurrentQueue<string>> _structured = new(StringComparer.Ordinal);

    /// <summary>The next structured requests whose messages contain <paramref name="marker"/> get these replies, in
    /// order.</summary>
    public void ScriptStructured(string marker, params string[] replies)
    {
        var queue = _structured.GetOrAdd(marker, _ => new ConcurrentQueue<string>());
        foreach (var reply in replies)
        {
            queue.Enqueue(reply);
        }
    }

    public ConcurrentQueue<JsonObject> StructuredRequests { get; } = new();

    /// <summary>The structured (response_format) requests whose messages contain <paramref name="marker"/>.</summary>
    public IReadOnlyList<JsonObject> StructuredRequestsContaining(string marker) =>
        StructuredRequests.Where(r => r.ToJsonString().Contains(marker, StringComparison.Ordinal)).ToArray();

    private string? StructuredReply(JsonObject request)
    {
        if (request["response_format"] is not JsonObject format)
        {
            return null;
        }
        StructuredRequests.Enqueue(request);
        var text = request["messages"]!.ToJsonString();
        foreach (var (marker, queue) in _structured)
        {
            if (text.Contains(marker, StringComparison.Ordinal) && queue.TryDequeue(out var reply))
            {
                return reply;
            }
        }
        return format["json_schema"]?["name"]?.GetValue<string>() == "state_change" ? NoStateChange : "{}";
    }

    private static async Task StreamStructuredAsync(HttpContext context, string reply)
    {
        if (reply == Hang)
        {
            try
            {
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
            }
            catch (OperationCanceledException) { }
            return;
        }
        context.Response.ContentType = "text/event-stream";
        var id = "chatcmpl-" + Guid.NewGuid().ToString("N")[..8];
        // In a few pieces, as a real server streams it.
        for (var at = 0; at < reply.Length; at += 16)
        {
            await WriteAsync(
                context,
                Chunk(
                    id,
                    new
                    {
                        role = at == 0 ? "assistant" : null,
                        content = reply.Substring(at, Math.Min(16, reply.Length - at)),
                    },
                    null
                )
            );
        }
        await WriteAsync(context, Chunk(id, new { }, "stop"));
        await WriteAsync(
            context,
            JsonSerializer.Serialize(
                new
                {
                    id,
                    @object = "chat.completion.chunk",
                    created = 1,
                    model = "scripted-1",
                    choices = Array.Empty<object>(),
                    usage = new
                    {
                        prompt_tokens = 10,
                        completion_tokens = reply.Length / 4,
                        total_tokens = 10 + reply.Length / 4,
                    },
                }
            )
        );
        await context.Response.WriteAsync("data: [DONE]\n\n");
    }
}
