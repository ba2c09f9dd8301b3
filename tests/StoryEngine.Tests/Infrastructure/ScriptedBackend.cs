using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace StoryEngine.Tests.Infrastructure;

/// <summary>
/// A scripted model backend that speaks the OpenAI streaming wire protocol over real HTTP, so the server under
/// test goes through its real provider chain. It exists only in tests. What it does is steered by directives in
/// the newest user message:
/// <c>{{tokens:N}}</c> (how many tokens, default 8), <c>{{delay:MS}}</c> (between tokens, default 2),
/// <c>{{fail}}</c> (HTTP 500), <c>{{cut:N}}</c> (drop the connection after N tokens).
/// Every request body is kept so tests can read exactly what the narrator was sent.
/// </summary>
public sealed partial class ScriptedBackend : IAsyncDisposable
{
    private static readonly Lazy<Task<ScriptedBackend>> Shared = new(StartAsync);
    private readonly WebApplication _app;

    private ScriptedBackend(WebApplication app) => _app = app;

    public static Task<ScriptedBackend> InstanceAsync() => Shared.Value;

    public string BaseUrl { get; private set; } = "";

    public ConcurrentQueue<JsonObject> Requests { get; } = new();

    /// <summary>The Authorization header of every request, so tests can see which API key a backend was sent.</summary>
    public ConcurrentQueue<string> AuthorizationHeaders { get; } = new();

    /// <summary>Settings that point the server's narrator at this backend.</summary>
    public Dictionary<string, string?> Settings() =>
        new()
        {
            ["Backends:scripted:Kind"] = "openai",
            ["Backends:scripted:BaseUrl"] = BaseUrl,
            ["Backends:scripted:Model"] = "scripted-1",
            ["Backends:scripted:ContextTokens"] = "4096",
            ["Narrator:Backends:0"] = "scripted",
            ["Narrator:FirstTokenTimeoutSeconds"] = "10",
            ["Narrator:IdleTimeoutSeconds"] = "10",
            ["Narrator:MaxRetries"] = "0",
            ["Narrator:CircuitBreakerMinimumThroughput"] = "1000",
        };

    /// <summary>The requests whose messages contain <paramref name="marker"/>.</summary>
    public IReadOnlyList<JsonObject> RequestsContaining(string marker) =>
        Requests.Where(r => r.ToJsonString().Contains(marker, StringComparison.Ordinal)).ToArray();

    /// <summary>The narration the backend writes for a turn: deterministic, so tests can compare it.</summary>
    public static string[] TokensFor(string lastUserMessage, int count) =>
        Enumerable
            .Range(1, count)
            .Select(i => i == 1 ? "Narration of " + $"'{Short(lastUserMessage)}'" : $" part{i}")
            .ToArray();

    private static async Task<ScriptedBackend> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var backend = new ScriptedBackend(app);
        app.MapGet("/v1/models", (HttpContext context) =>
        {
            backend.AuthorizationHeaders.Enqueue(context.Request.Headers.Authorization.ToString());
            return Results.Json(new { data = new[] { new { id = "scripted-1", @object = "model" } } });
        });
        app.MapPost("/v1/chat/completions", backend.CompleteAsync);
        await app.StartAsync();
        backend.BaseUrl =
            app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()
            + "/v1";
        return backend;
    }

    private async Task CompleteAsync(HttpContext context)
    {
        var request = (await JsonNode.ParseAsync(context.Request.Body))!.AsObject();
        if (StructuredReply(request) is { } structured)
        {
            await StreamStructuredAsync(context, structured);
            return;
        }
        Requests.Enqueue(request);
        AuthorizationHeaders.Enqueue(context.Request.Headers.Authorization.ToString());
        var messages = request["messages"]!.AsArray();
        var last = messages.Last(m => m!["role"]!.GetValue<string>() == "user")!["content"]!;
        var text =
            last is JsonValue
                ? last.GetValue<string>()
                : string.Concat(last.AsArray().Select(p => p!["text"]?.GetValue<string>()));
        if (text.Contains("{{fail}}", StringComparison.Ordinal))
        {
            context.Response.StatusCode = 500;
            await context.Response.WriteAsJsonAsync(
                new { error = new { message = "scripted failure", type = "server_error" } }
            );
            return;
        }
        if (NextToolCall(request, text) is { } call)
        {
            await StreamToolCallAsync(context, call, messages.Count);
            return;
        }
        var count = Directive(text, "tokens") ?? 8;
        var delay = Directive(text, "delay") ?? 2;
        var cut = Directive(text, "cut");

        context.Response.ContentType = "text/event-stream";
        var id = "chatcmpl-" + Guid.NewGuid().ToString("N")[..8];
        var tokens = TokensFor(text, count);
        for (var i = 0; i < tokens.Length; i++)
        {
            if (cut == i)
            {
                context.Abort();
                return;
            }
            await WriteAsync(context, Chunk(id, new { role = i == 0 ? "assistant" : null, content = tokens[i] }, null));
            if (delay > 0)
            {
                await Task.Delay(delay, context.RequestAborted);
            }
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
                        prompt_tokens = EstimatePrompt(messages),
                        completion_tokens = count,
                        total_tokens = EstimatePrompt(messages) + count,
                    },
                }
            )
        );
        await context.Response.WriteAsync("data: [DONE]\n\n");
    }

    private static string Chunk(string id, object delta, string? finish) =>
        JsonSerializer.Serialize(
            new
            {
                id,
                @object = "chat.completion.chunk",
                created = 1,
                model = "scripted-1",
                choices = new[]
                {
                    new
                    {
                        index = 0,
                        delta,
                        finish_reason = finish,
                    },
                },
            }
        );

    private static async Task WriteAsync(HttpContext context, string json)
    {
        await context.Response.WriteAsync("data: " + json + "\n\n", Encoding.UTF8, context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
    }

    private static int EstimatePrompt(JsonArray messages) =>
        messages.Sum(m => m!["content"]?.ToJsonString().Length ?? 0) / 4; // a tool call's message has no content

    private static int? Directive(string text, string name) =>
        DirectivePattern().Matches(text).FirstOrDefault(m => m.Groups[1].Value == name) is { } match
            ? int.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture)
            : null;

    private static string Short(string text) => text.Length <= 40 ? text : text[..40];

    [GeneratedRegex(@"\{\{(\w+):(\d+)\}\}")]
    private static partial Regex DirectivePattern();

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
