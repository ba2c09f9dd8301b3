using System.Text.Json;

namespace StoryEngine.Providers.Tests.Fakes;

/// <summary>
/// How one provider frames a streamed answer on the wire, byte for byte, so the fake servers can speak it:
/// OpenAI's SSE "data:" chunks ending in [DONE], Ollama's NDJSON ending in a done:true object with counts,
/// Anthropic's named SSE events from message_start to message_stop.
/// </summary>
public abstract class Dialect
{
    public static Dialect OpenAI { get; } = new OpenAIDialect();
    public static Dialect Ollama { get; } = new OllamaDialect();
    public static Dialect Anthropic { get; } = new AnthropicDialect();

    public static Dialect For(string kind) =>
        kind switch
        {
            "openai" => OpenAI,
            "ollama" => Ollama,
            "anthropic" => Anthropic,
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
        };

    public abstract string Kind { get; }

    /// <summary>The path the client posts chats to.</summary>
    public abstract string ChatPath { get; }

    public abstract string StreamContentType { get; }

    /// <summary>The BaseUrl a user would configure for a server at <paramref name="origin"/>.</summary>
    public virtual string BaseUrl(string origin) => origin;

    /// <summary>Each element is written and flushed on its own, like a server producing tokens one by one.</summary>
    public abstract IReadOnlyList<string> StreamFrames(
        string model,
        IReadOnlyList<string> tokens,
        int inputTokens,
        int outputTokens
    );

    /// <summary>A frame that cannot be parsed, in the dialect's framing.</summary>
    public abstract string MalformedFrame { get; }

    public abstract string NonStreamingBody(string model, string text, int inputTokens, int outputTokens);

    public abstract string ErrorBody(int status, string message);

    protected static string Json(object value) => JsonSerializer.Serialize(value);
}

internal sealed class OpenAIDialect : Dialect
{
    public override string Kind => "openai";
    public override string ChatPath => "/v1/chat/completions";
    public override string StreamContentType => "text/event-stream";

    public override string BaseUrl(string origin) => origin + "/v1";

    public override IReadOnlyList<string> StreamFrames(
        string model,
        IReadOnlyList<string> tokens,
        int inputTokens,
        int outputTokens
    )
    {
        static string Data(object chunk) => "data: " + Json(chunk) + "\n\n";
        object Chunk(object delta, string? finish) =>
            new
            {
                id = "chatcmpl-test",
                @object = "chat.completion.chunk",
                created = 1_700_000_000,
                model,
                system_fingerprint = "fp_test",
                choices = new[]
                {
                    new
                    {
                        index = 0,
                        delta,
                        finish_reason = finish,
                    },
                },
            };
        var frames = new List<string> { Data(Chunk(new { role = "assistant", content = "" }, null)) };
        frames.AddRange(tokens.Select(t => Data(Chunk(new { content = t }, null))));
        frames.Add(Data(Chunk(new { }, "stop")));
        // With stream_options.include_usage the server adds one last chunk with empty choices and the usage.
        frames.Add(
            Data(
                new
                {
                    id = "chatcmpl-test",
                    @object = "chat.completion.chunk",
                    created = 1_700_000_000,
                    model,
                    choices = Array.Empty<object>(),
                    usage = new
                    {
                        prompt_tokens = inputTokens,
                        completion_tokens = outputTokens,
                        total_tokens = inputTokens + outputTokens,
                    },
                }
            )
        );
        frames.Add("data: [DONE]\n\n");
        return frames;
    }

    public override string MalformedFrame =>
        "data: {\"id\":\"chatcmpl-test\",\"choices\":[{\"delta\":{\"content\":\"bro\n\n";

    public override string NonStreamingBody(string model, string text, int inputTokens, int outputTokens) =>
        Json(
            new
            {
                id = "chatcmpl-test",
                @object = "chat.completion",
                created = 1_700_000_000,
                model,
                choices = new[]
                {
                    new
                    {
                        index = 0,
                        message = new { role = "assistant", content = text },
                        finish_reason = "stop",
                    },
                },
                usage = new
                {
                    prompt_tokens = inputTokens,
                    completion_tokens = outputTokens,
                    total_tokens = inputTokens + outputTokens,
                },
            }
        );

    public override string ErrorBody(int status, string message) =>
        Json(
            new
            {
                error = new
                {
                    message,
                    type = "server_error",
                    param = (string?)null,
                    code = (string?)null,
                },
            }
        );
}

internal sealed class OllamaDialect : Dialect
{
    public override string Kind => "ollama";
    public override string ChatPath => "/api/chat";
    public override string StreamContentType => "application/x-ndjson";

    public override IReadOnlyList<string> StreamFrames(
        string model,
        IReadOnlyList<string> tokens,
        int inputTokens,
        int outputTokens
    )
    {
        var frames = tokens
            .Select(t =>
                Json(
                    new
                    {
                        model,
                        created_at = "2025-06-01T12:00:00.000000Z",
                        message = new { role = "assistant", content = t },
                        done = false,
                    }
                ) + "\n"
            )
            .ToList();
        frames.Add(
            Json(
                new
                {
                    model,
                    created_at = "2025-06-01T12:00:01.000000Z",
                    message = new { role = "assistant", content = "" },
                    done_reason = "stop",
                    done = true,
                    total_duration = 1_200_000_000L,
                    load_duration = 50_000_000L,
                    prompt_eval_count = inputTokens,
                    prompt_eval_duration = 300_000_000L,
                    eval_count = outputTokens,
                    eval_duration = 800_000_000L,
                }
            ) + "\n"
        );
        return frames;
    }

    public override string MalformedFrame => "{\"model\":\"m\",\"message\":{\"role\":\"assistant\",\"content\":\"bro\n";

    public override string NonStreamingBody(string model, string text, int inputTokens, int outputTokens) =>
        Json(
            new
            {
                model,
                created_at = "2025-06-01T12:00:01.000000Z",
                message = new { role = "assistant", content = text },
                done_reason = "stop",
                done = true,
                prompt_eval_count = inputTokens,
                eval_count = outputTokens,
            }
        );

    public override string ErrorBody(int status, string message) => Json(new { error = message });
}

internal sealed class AnthropicDialect : Dialect
{
    public override string Kind => "anthropic";
    public override string ChatPath => "/v1/messages";
    public override string StreamContentType => "text/event-stream";

    public override IReadOnlyList<string> StreamFrames(
        string model,
        IReadOnlyList<string> tokens,
        int inputTokens,
        int outputTokens
    )
    {
        static string Event(string name, object data) => $"event: {name}\ndata: {Json(data)}\n\n";
        var frames = new List<string>
        {
            Event(
                "message_start",
                new
                {
                    type = "message_start",
                    message = new
                    {
                        id = "msg_test",
                        type = "message",
                        role = "assistant",
                        content = Array.Empty<object>(),
                        model,
                        stop_reason = (string?)null,
                        stop_sequence = (string?)null,
                        usage = new { input_tokens = inputTokens, output_tokens = 1 },
                    },
                }
            ),
            Event(
                "content_block_start",
                new
                {
                    type = "content_block_start",
                    index = 0,
                    content_block = new { type = "text", text = "" },
                }
            ),
            Event("ping", new { type = "ping" }),
        };
        frames.AddRange(
            tokens.Select(t =>
                Event(
                    "content_block_delta",
                    new
                    {
                        type = "content_block_delta",
                        index = 0,
                        delta = new { type = "text_delta", text = t },
                    }
                )
            )
        );
        frames.Add(Event("content_block_stop", new { type = "content_block_stop", index = 0 }));
        frames.Add(
            Event(
                "message_delta",
                new
                {
                    type = "message_delta",
                    delta = new { stop_reason = "end_turn", stop_sequence = (string?)null },
                    usage = new { output_tokens = outputTokens },
                }
            )
        );
        frames.Add(Event("message_stop", new { type = "message_stop" }));
        return frames;
    }

    public override string MalformedFrame =>
        "event: content_block_delta\ndata: "
        + "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_del\n\n";

    public override string NonStreamingBody(string model, string text, int inputTokens, int outputTokens) =>
        Json(
            new
            {
                id = "msg_test",
                type = "message",
                role = "assistant",
                content = new[] { new { type = "text", text } },
                model,
                stop_reason = "end_turn",
                stop_sequence = (string?)null,
                usage = new { input_tokens = inputTokens, output_tokens = outputTokens },
            }
        );

    public override string ErrorBody(int status, string message) =>
        Json(
            new
            {
                type = "error",
                error = new { type = status >= 500 ? "api_error" : "invalid_request_error", message },
            }
        );
}
