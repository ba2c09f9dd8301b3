using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.AI;
using StoryEngine.Providers.Errors;
using StoryEngine.Providers.Ollama;
using StoryEngine.Providers.Tests.Fakes;

namespace StoryEngine.Providers.Tests.Adapters;

public sealed class OllamaWireTests
{
    [Fact]
    public async Task streams_ndjson_tokens_and_reads_counts_from_the_done_object()
    {
        await using var server = await FakeBackend.StartAsync(
            Dialect.Ollama,
            Scenarios.Answer(["Once", " upon", " a time."], inputTokens: 42, outputTokens: 5)
        );
        using var client = Clients.For(server.Options());

        var (updates, error) = await Clients.DrainAsync(client.GetStreamingResponseAsync(Clients.Story()));

        Assert.Null(error);
        Assert.Equal("Once upon a time.", Clients.Text(updates));
        Assert.Equal(42, Clients.Usage(updates)?.InputTokenCount);
        Assert.Equal(5, Clients.Usage(updates)?.OutputTokenCount);
        Assert.Equal(ChatFinishReason.Stop, updates[^1].FinishReason);
        Assert.Equal(Scenarios.Model, updates[0].ModelId);
    }

    private static readonly System.Text.Json.JsonElement Schema = System
        .Text.Json.JsonDocument.Parse(
            """
            {"type":"object","additionalProperties":false,"required":["mood"],"properties":{"mood":{"type":"string"}}}
            """
        )
        .RootElement.Clone();

    [Fact]
    public async Task sends_a_json_schema_as_format_for_structured_output()
    {
        await using var server = await FakeBackend.StartAsync(Dialect.Ollama);
        using var client = Clients.For(server.Options());

        await Clients.DrainAsync(
            client.GetStreamingResponseAsync(
                Clients.Story(),
                new ChatOptions { ResponseFormat = ChatResponseFormat.ForJsonSchema(Schema, "mood_report") }
            )
        );
        Assert.Equal("mood", server.LastChatRequest.Json.GetProperty("format").GetProperty("required")[0].GetString());

        await Clients.DrainAsync(
            client.GetStreamingResponseAsync(
                Clients.Story(),
                new ChatOptions { ResponseFormat = ChatResponseFormat.Json }
            )
        );
        Assert.Equal("json", server.LastChatRequest.Json.GetProperty("format").GetString());

        await Clients.DrainAsync(client.GetStreamingResponseAsync(Clients.Story()));
        Assert.False(server.LastChatRequest.Json.TryGetProperty("format", out _));
    }

    [Fact]
    public async Task sends_model_messages_stream_flag_and_context_size_as_num_ctx()
    {
        await using var server = await FakeBackend.StartAsync(Dialect.Ollama);
        using var client = Clients.For(server.Options());
        var options = new ChatOptions
        {
            Temperature = 0.5f,
            MaxOutputTokens = 200,
            StopSequences = ["THE END"],
        };

        await Clients.DrainAsync(client.GetStreamingResponseAsync(Clients.Story(), options));

        var body = server.LastChatRequest.Json;
        Assert.Equal(Scenarios.Model, body.GetProperty("model").GetString());
        Assert.True(body.GetProperty("stream").GetBoolean());
        Assert.Equal(
            ["system", "user", "assistant", "user"],
            body.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("role").GetString())
        );
        Assert.Equal("You are the narrator.", body.GetProperty("messages")[0].GetProperty("content").GetString());
        var modelOptions = body.GetProperty("options");
        Assert.Equal(4096, modelOptions.GetProperty("num_ctx").GetInt32());
        Assert.Equal(0.5, modelOptions.GetProperty("temperature").GetDouble(), 3);
        Assert.Equal(200, modelOptions.GetProperty("num_predict").GetInt32());
        Assert.Equal("THE END", modelOptions.GetProperty("stop")[0].GetString());
        Assert.False(server.LastChatRequest.Headers.ContainsKey("Authorization"));
    }

    [Fact]
    public async Task non_streaming_response_maps_text_and_counts()
    {
        await using var server = await FakeBackend.StartAsync(
            Dialect.Ollama,
            Scenarios.Answer(["The door ", "opens."], inputTokens: 20, outputTokens: 3)
        );
        using var client = Clients.For(server.Options());

        var response = await client.GetResponseAsync(Clients.Story());

        Assert.Equal("The door opens.", response.Text);
        Assert.Equal(20, response.Usage?.InputTokenCount);
        Assert.Equal(3, response.Usage?.OutputTokenCount);
        Assert.False(server.LastChatRequest.Json.GetProperty("stream").GetBoolean());
    }

    [Fact]
    public async Task reads_version_and_pulled_models()
    {
        await using var server = await FakeBackend.StartAsync(Dialect.Ollama);
        var client = (OllamaChatClient)Clients.For(server.Options());

        Assert.Equal("0.12.3", await client.GetVersionAsync());
        var models = await client.ListModelsAsync();
        var model = Assert.Single(models);
        Assert.Equal(Scenarios.Model + ":latest", model.Name);
        Assert.Equal("Q4_K_M", model.QuantizationLevel);
        Assert.True(model.Matches(Scenarios.Model));
    }

    [Fact]
    public async Task http_error_carries_status_and_ollamas_error_text()
    {
        await using var server = await FakeBackend.StartAsync(
            Dialect.Ollama,
            Scenarios.Status(404, "model \"test-model\" not found, try pulling it first")
        );
        using var client = Clients.For(server.Options());

        var (_, error) = await Clients.DrainAsync(client.GetStreamingResponseAsync(Clients.Story()));

        var http = Assert.IsType<HttpRequestException>(error);
        Assert.Equal(HttpStatusCode.NotFound, http.StatusCode);
        Assert.Contains("try pulling it first", http.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task error_object_inside_the_stream_becomes_a_protocol_exception()
    {
        Scenario errorLine = async (context, _, _) =>
        {
            context.Response.ContentType = "application/x-ndjson";
            await context.Response.WriteAsync(
                "{\"model\":\"test-model\",\"message\":{\"role\":\"assistant\",\"content\":\"Once\"},\"done\":false}\n"
                    + "{\"error\":\"llama runner process has terminated\"}\n"
            );
        };
        await using var server = await FakeBackend.StartAsync(Dialect.Ollama, errorLine);
        using var client = Clients.For(server.Options());

        var (updates, error) = await Clients.DrainAsync(client.GetStreamingResponseAsync(Clients.Story()));

        Assert.Equal("Once", Clients.Text(updates));
        var protocol = Assert.IsType<BackendProtocolException>(error);
        Assert.Contains("llama runner process has terminated", protocol.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task stream_that_ends_without_done_is_reported_as_incomplete()
    {
        Scenario noDone = async (context, _, _) =>
        {
            context.Response.ContentType = "application/x-ndjson";
            await context.Response.WriteAsync(
                "{\"model\":\"test-model\",\"message\":{\"role\":\"assistant\",\"content\":\"Once\"},\"done\":false}\n"
            );
        };
        await using var server = await FakeBackend.StartAsync(Dialect.Ollama, noDone);
        using var client = Clients.For(server.Options());

        var (updates, error) = await Clients.DrainAsync(client.GetStreamingResponseAsync(Clients.Story()));

        Assert.Equal("Once", Clients.Text(updates));
        Assert.IsType<BackendProtocolException>(error);
    }

    [Fact]
    public async Task probe_fails_when_the_configured_model_is_not_pulled()
    {
        await using var server = await FakeBackend.StartAsync(Dialect.Ollama);
        server.PulledModels.Clear();
        server.PulledModels.Add("mistral:latest");
        var client = (IBackendProbe)Clients.For(server.Options());

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => client.ProbeAsync(CancellationToken.None));

        Assert.Equal(HttpStatusCode.NotFound, error.StatusCode);
        Assert.Contains("ollama pull test-model", error.Message, StringComparison.Ordinal);
    }
}
