using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StoryEngine.Providers.Configuration;
using StoryEngine.Providers.Embeddings;
using StoryEngine.Providers.Errors;

namespace StoryEngine.Providers.Tests.Adapters;

/// <summary>The embedding adapters against a real Kestrel server on loopback answering as Ollama and OpenAI-compatible
/// servers do.</summary>
public sealed class EmbeddingWireTests
{
    [Fact]
    public async Task openai_compatible_posts_model_and_inputs_to_embeddings_and_orders_vectors_by_index()
    {
        await using var server = await EmbeddingServer.StartAsync("/v1/embeddings", _ => (
                200,
                """
                {"object":"list","model":"nomic","data":[
                  {"object":"embedding","index":1,"embedding":[0.0,1.0]},
                  {"object":"embedding","index":0,"embedding":[1.0,0.5]}],
                 "usage":{"prompt_tokens":7,"total_tokens":7}}
                """
            ));
        using var generator = Generator(
            Backend("openai", server.Origin + "/v1", "sk-test"),
            "nomic",
            TimeSpan.FromSeconds(5)
        );

        var result = await generator.GenerateAsync(["the brass key", "the lighthouse"]);

        Assert.Equal([1.0f, 0.5f], result[0].Vector.ToArray());
        Assert.Equal([0.0f, 1.0f], result[1].Vector.ToArray());
        Assert.Equal(7, result.Usage?.InputTokenCount);
        var body = JsonDocument.Parse(server.Bodies.Single()).RootElement;
        Assert.Equal("nomic", body.GetProperty("model").GetString());
        Assert.Equal(
            ["the brass key", "the lighthouse"],
            body.GetProperty("input").EnumerateArray().Select(i => i.GetString())
        );
        Assert.Equal("Bearer sk-test", server.Authorization.Single());
    }

    [Fact]
    public async Task ollama_posts_to_api_embed_and_reads_embeddings_in_order()
    {
        await using var server = await EmbeddingServer.StartAsync("/api/embed", _ => (
                200,
                """
                {"model":"nomic-embed-text","embeddings":[[0.1,0.2,0.3],[0.4,0.5,0.6]],"prompt_eval_count":9}
                """
            ));
        using var generator = Generator(
            Backend("ollama", server.Origin, null),
            "nomic-embed-text",
            TimeSpan.FromSeconds(5)
        );

        var result = await generator.GenerateAsync(["one", "two"]);

        Assert.Equal(2, result.Count);
        Assert.Equal([0.4f, 0.5f, 0.6f], result[1].Vector.ToArray());
        Assert.Equal(9, result.Usage?.InputTokenCount);
        var body = JsonDocument.Parse(server.Bodies.Single()).RootElement;
        Assert.Equal("nomic-embed-text", body.GetProperty("model").GetString());
        Assert.Equal(2, body.GetProperty("input").GetArrayLength());
        Assert.Empty(server.Authorization);
    }

    [Fact]
    public async Task http_error_is_reported_with_status_and_the_servers_message()
    {
        await using var server = await EmbeddingServer.StartAsync("/api/embed", _ =>
            (404, """{"error":"model \"nomic\" not found, try pulling it first"}""")
        );
        using var generator = Generator(Backend("ollama", server.Origin, null), "nomic", TimeSpan.FromSeconds(5));

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => generator.GenerateAsync(["x"]));

        Assert.Equal(HttpStatusCode.NotFound, error.StatusCode);
        Assert.Contains("not found, try pulling it first", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task wrong_number_of_vectors_is_a_protocol_error()
    {
        await using var server = await EmbeddingServer.StartAsync("/v1/embeddings", _ =>
            (200, """{"data":[{"index":0,"embedding":[1.0]}]}""")
        );
        using var generator = Generator(Backend("openai", server.Origin + "/v1", null), "m", TimeSpan.FromSeconds(5));

        await Assert.ThrowsAsync<BackendProtocolException>(() => generator.GenerateAsync(["a", "b"]));
    }

    [Fact]
    public async Task slow_server_times_out_with_the_setting_named()
    {
        await using var server = await EmbeddingServer.StartAsync(
            "/api/embed",
            _ => (200, "{}"),
            delay: TimeSpan.FromSeconds(5)
        );
        using var generator = Generator(
            Backend("ollama", server.Origin, null),
            "nomic",
            TimeSpan.FromMilliseconds(200)
        );

        var error = await Assert.ThrowsAsync<TimeoutException>(() => generator.GenerateAsync(["x"]));

        Assert.Contains("Embeddings:TimeoutSeconds", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void factory_names_the_key_when_embeddings_are_misconfigured()
    {
        var settings = new ProvidersSettings
        {
            Backends =
            [
                Backend("ollama", "http://127.0.0.1:1", null),
                Backend("anthropic", "https://api.anthropic.com", "k"),
            ],
            Narrator = new NarratorOptions { Backends = ["ollama"] },
        };
        using var factory = new BackendFactory(settings);

        Assert.Null(factory.CreateEmbeddingGenerator(new EmbeddingsOptions()));
        Assert.IsType<GuardedEmbeddingGenerator>(
            factory.CreateEmbeddingGenerator(new EmbeddingsOptions { Backend = "ollama", Model = "nomic-embed-text" })
        );
        Assert.Contains(
            "Embeddings:Backend",
            Assert
                .Throws<ProvidersConfigurationException>(() =>
                    factory.CreateEmbeddingGenerator(new EmbeddingsOptions { Backend = "nope", Model = "m" })
                )
                .Message,
            StringComparison.Ordinal
        );
        Assert.Contains(
            "Embeddings:Model",
            Assert
                .Throws<ProvidersConfigurationException>(() =>
                    factory.CreateEmbeddingGenerator(new EmbeddingsOptions { Backend = "ollama" })
                )
                .Message,
            StringComparison.Ordinal
        );
        Assert.Contains(
            "no embeddings API",
            Assert
                .Throws<ProvidersConfigurationException>(() =>
                    factory.CreateEmbeddingGenerator(new EmbeddingsOptions { Backend = "anthropic", Model = "m" })
                )
                .Message,
            StringComparison.Ordinal
        );
    }

    private static GuardedEmbeddingGenerator Generator(BackendOptions backend, string model, TimeSpan timeout) =>
        GuardedEmbeddingGenerator.Create(backend, model, timeout, Fakes.Clients.Handler)!;

    private static BackendOptions Backend(string kind, string baseUrl, string? key) =>
        new()
        {
            Name = kind,
            Kind = kind,
            BaseUrl = baseUrl,
            Model = "chat-model",
            ApiKey = key,
        };

    /// <summary>A loopback server answering one path with a canned status and body, recording what it was
    /// sent.</summary>
    private sealed class EmbeddingServer : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private EmbeddingServer(WebApplication app) => _app = app;

        public string Origin { get; private set; } = "";

        public List<string> Bodies { get; } = [];

        public List<string> Authorization { get; } = [];

        public static async Task<EmbeddingServer> StartAsync(
            string path,
            Func<string, (int Status, string Body)> answer,
            TimeSpan? delay = null
        )
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            var app = builder.Build();
            var server = new EmbeddingServer(app);
            app.MapPost(path, async (HttpContext context) =>
            {
                using var reader = new StreamReader(context.Request.Body);
                var body = await reader.ReadToEndAsync();
                lock (server.Bodies)
                {
                    server.Bodies.Add(body);
                    if (context.Request.Headers.Authorization.Count > 0)
                    {
                        server.Authorization.Add(context.Request.Headers.Authorization.ToString());
                    }
                }
                if (delay is { } wait)
                {
                    await Task.Delay(wait, context.RequestAborted);
                }
                var (status, text) = answer(body);
                context.Response.StatusCode = status;
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync(text);
            });
            await app.StartAsync();
            server.Origin = app
                .Services.GetRequiredService<IServer>()
                .Features.Get<IServerAddressesFeature>()!
                .Addresses.First();
            return server;
        }

        public async ValueTask DisposeAsync() => await _app.DisposeAsync();
    }
}
