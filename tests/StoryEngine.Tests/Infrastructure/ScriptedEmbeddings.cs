using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace StoryEngine.Tests.Infrastructure;

/// <summary>
/// An OpenAI-compatible <c>/v1/embeddings</c> endpoint for tests: each text becomes a hashed bag of its words
/// (64 dimensions), so texts sharing words are similar. Not a model; deterministic. An input containing
/// <c>{{embedfail}}</c> makes it answer HTTP 500. Every input is recorded.
/// </summary>
public sealed class ScriptedEmbeddings : IAsyncDisposable
{
    public const int Dimensions = 64;
    private readonly WebApplication _app;

    private ScriptedEmbeddings(WebApplication app) => _app = app;

    public string BaseUrl { get; private set; } = "";

    public ConcurrentQueue<string> Inputs { get; } = new();

    public static async Task<ScriptedEmbeddings> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var embeddings = new ScriptedEmbeddings(app);
        app.MapGet("/v1/models", () =>
            Results.Json(new { data = new[] { new { id = "scripted-embed", @object = "model" } } })
        );
        app.MapPost("/v1/embeddings", embeddings.EmbedAsync);
        await app.StartAsync();
        embeddings.BaseUrl =
            app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()
            + "/v1";
        return embeddings;
    }

    /// <summary>Settings naming this endpoint as the embedding backend.</summary>
    public Dictionary<string, string?> Settings() =>
        new()
        {
            ["Backends:embedder:Kind"] = "openai",
            ["Backends:embedder:BaseUrl"] = BaseUrl,
            ["Backends:embedder:Model"] = "scripted-embed",
            ["Embeddings:Backend"] = "embedder",
            ["Embeddings:Model"] = "scripted-embed",
        };

    public static float[] Embed(string text)
    {
        var vector = new float[Dimensions];
        foreach (
            var word in text.ToLowerInvariant()
                .Split(Separators, StringSplitOptions.RemoveEmptyEntries)
                .Where(w => w.Length >= 3)
        )
        {
            var hash = 2166136261u;
            foreach (var c in word.TrimEnd('s'))
            {
                hash = (hash ^ c) * 16777619u;
            }
            vector[hash % Dimensions] += 1;
        }
        return vector;
    }

    private static readonly char[] Separators = [.. " \n\t.,;:!?'\"()[]{}-—–".ToCharArray()];

    private async Task EmbedAsync(HttpContext context)
    {
        var request = (await JsonNode.ParseAsync(context.Request.Body))!.AsObject();
        var inputs = request["input"] is JsonArray array
            ? array.Select(i => i!.GetValue<string>()).ToArray()
            : [request["input"]!.GetValue<string>()];
        foreach (var input in inputs)
        {
            Inputs.Enqueue(input);
        }
        if (inputs.Any(i => i.Contains("{{embedfail}}", StringComparison.Ordinal)))
        {
            context.Response.StatusCode = 500;
            await context.Response.WriteAsJsonAsync(new { error = new { message = "scripted embedding failure" } });
            return;
        }
        await context.Response.WriteAsJsonAsync(
            new
            {
                @object = "list",
                model = "scripted-embed",
                data = inputs.Select(
                    (text, index) =>
                        new
                        {
                            @object = "embedding",
                            index,
                            embedding = Embed(text),
                        }
                ),
                usage = new
                {
                    prompt_tokens = inputs.Sum(i => i.Length / 4),
                    total_tokens = inputs.Sum(i => i.Length / 4),
                },
            }
        );
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
