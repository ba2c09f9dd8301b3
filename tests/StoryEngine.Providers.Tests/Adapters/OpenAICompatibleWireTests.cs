using Microsoft.Extensions.AI;
using StoryEngine.Providers.Tests.Fakes;

namespace StoryEngine.Providers.Tests.Adapters;

public sealed class OpenAICompatibleWireTests
{
    private static readonly System.Text.Json.JsonElement Schema = System
        .Text.Json.JsonDocument.Parse(
            """
            {"type":"object","additionalProperties":false,"required":["mood"],"properties":{"mood":{"type":"string"}}}
            """
        )
        .RootElement.Clone();

    [Fact]
    public async Task sends_a_json_schema_response_format_for_structured_output()
    {
        await using var server = await FakeBackend.StartAsync(Dialect.OpenAI);
        using var client = Clients.For(server.Options());
        var options = new ChatOptions
        {
            ResponseFormat = ChatResponseFormat.ForJsonSchema(Schema, "mood_report", "How the scene feels"),
        };

        await Clients.DrainAsync(client.GetStreamingResponseAsync(Clients.Story(), options));

        var format = server.LastChatRequest.Json.GetProperty("response_format");
        Assert.Equal("json_schema", format.GetProperty("type").GetString());
        Assert.Equal("mood_report", format.GetProperty("json_schema").GetProperty("name").GetString());
        Assert.True(format.GetProperty("json_schema").GetProperty("strict").GetBoolean());
        Assert.Equal(
            "mood",
            format.GetProperty("json_schema").GetProperty("schema").GetProperty("required")[0].GetString()
        );
    }

    [Fact]
    public async Task streams_tokens_from_sse_chunks_and_reads_usage_from_the_final_chunk()
    {
        await using var server = await FakeBackend.StartAsync(
            Dialect.OpenAI,
            Scenarios.Answer(["Once", " upon", " a time."], inputTokens: 31, outputTokens: 4)
        );
        using var client = Clients.For(server.Options());

        var (updates, error) = await Clients.DrainAsync(client.GetStreamingResponseAsync(Clients.Story()));

        Assert.Null(error);
        Assert.Equal("Once upon a time.", Clients.Text(updates));
        var usage = Clients.Usage(updates);
        Assert.NotNull(usage);
        Assert.Equal(31, usage.InputTokenCount);
        Assert.Equal(4, usage.OutputTokenCount);
        Assert.Contains(updates, u => u.FinishReason == ChatFinishReason.Stop);
        Assert.All(updates, u => Assert.Equal(Scenarios.Model, u.ModelId));
    }

    [Fact]
    public async Task sends_model_roles_stream_flags_options_and_bearer_key()
    {
        await using var server = await FakeBackend.StartAsync(Dialect.OpenAI);
        using var client = Clients.For(server.Options(apiKey: "sk-test-123"));
        var options = new ChatOptions
        {
            Temperature = 0.7f,
            MaxOutputTokens = 300,
            StopSequences = ["\n\nPlayer:"],
        };

        await Clients.DrainAsync(client.GetStreamingResponseAsync(Clients.Story(), options));

        var request = server.LastChatRequest;
        Assert.Equal("Bearer sk-test-123", request.Headers["Authorization"]);
        var body = request.Json;
        Assert.Equal(Scenarios.Model, body.GetProperty("model").GetString());
        Assert.True(body.GetProperty("stream").GetBoolean());
        Assert.True(body.GetProperty("stream_options").GetProperty("include_usage").GetBoolean());
        Assert.Equal(
            ["system", "user", "assistant", "user"],
            body.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("role").GetString())
        );
        Assert.Equal("I step inside.", body.GetProperty("messages")[3].GetProperty("content").GetString());
        Assert.Equal(0.7, body.GetProperty("temperature").GetDouble(), 3);
        // A compatible server (not api.openai.com) gets max_tokens, the field Ollama's /v1 and llama.cpp read.
        Assert.Equal(300, body.GetProperty("max_tokens").GetInt32());
        Assert.Equal("\n\nPlayer:", body.GetProperty("stop")[0].GetString());
    }

    [Fact]
    public async Task sends_a_placeholder_key_when_none_is_configured()
    {
        await using var server = await FakeBackend.StartAsync(Dialect.OpenAI);
        using var client = Clients.For(server.Options());

        await Clients.DrainAsync(client.GetStreamingResponseAsync(Clients.Story()));

        Assert.Equal("Bearer no-key", server.LastChatRequest.Headers["Authorization"]);
    }

    [Fact]
    public async Task non_streaming_response_maps_text_usage_and_model()
    {
        await using var server = await FakeBackend.StartAsync(
            Dialect.OpenAI,
            Scenarios.Answer(["The door ", "opens."], inputTokens: 20, outputTokens: 3)
        );
        using var client = Clients.For(server.Options());

        var response = await client.GetResponseAsync(Clients.Story());

        Assert.Equal("The door opens.", response.Text);
        Assert.Equal(20, response.Usage?.InputTokenCount);
        Assert.Equal(3, response.Usage?.OutputTokenCount);
        Assert.Equal(Scenarios.Model, response.ModelId);
        Assert.False(server.LastChatRequest.Json.TryGetProperty("stream", out var stream) && stream.GetBoolean());
    }

    [Fact]
    public async Task probe_lists_the_servers_models()
    {
        await using var server = await FakeBackend.StartAsync(Dialect.OpenAI);
        var client = (IBackendProbe)Clients.For(server.Options());

        var detail = await client.ProbeAsync(CancellationToken.None);

        Assert.Contains($"{Scenarios.Model} listed", detail, StringComparison.Ordinal);
        Assert.Contains(server.Requests, r => r.Method == "GET" && r.Path == "/v1/models");
    }
}
