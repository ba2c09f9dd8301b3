using Microsoft.Extensions.AI;
using StoryEngine.Providers.Tests.Fakes;

namespace StoryEngine.Providers.Tests.Adapters;

public sealed class AnthropicWireTests
{
    [Fact]
    public async Task streams_message_events_into_text_and_usage()
    {
        await using var server = await FakeBackend.StartAsync(
            Dialect.Anthropic,
            Scenarios.Answer(["Once", " upon", " a time."], inputTokens: 25, outputTokens: 6)
        );
        using var client = Clients.For(server.Options());

        var (updates, error) = await Clients.DrainAsync(client.GetStreamingResponseAsync(Clients.Story()));

        Assert.Null(error);
        Assert.Equal("Once upon a time.", Clients.Text(updates));
        var usage = Clients.Usage(updates);
        Assert.Equal(25, usage?.InputTokenCount);
        Assert.Equal(6, usage?.OutputTokenCount);
        Assert.Contains(updates, u => u.FinishReason == ChatFinishReason.Stop);
        Assert.All(updates, u => Assert.Equal(Scenarios.Model, u.ModelId));
    }

    [Fact]
    public async Task puts_system_messages_in_the_system_parameter_and_sends_key_and_version()
    {
        await using var server = await FakeBackend.StartAsync(Dialect.Anthropic);
        using var client = Clients.For(server.Options(apiKey: "sk-ant-secret"));
        var messages = Clients.Story();
        messages.Insert(1, new ChatMessage(ChatRole.System, "Keep it short."));

        await Clients.DrainAsync(
            client.GetStreamingResponseAsync(
                messages,
                new ChatOptions { MaxOutputTokens = 500, StopSequences = ["THE END"] }
            )
        );

        var request = server.LastChatRequest;
        // SDK 13.x sends the key as a bearer token (its documented behaviour for ClientOptions.ApiKey), not x-api-key.
        Assert.Equal("Bearer sk-ant-secret", request.Headers["Authorization"]);
        Assert.False(request.Headers.ContainsKey("x-api-key"));
        Assert.False(string.IsNullOrEmpty(request.Headers["anthropic-version"]));
        var body = request.Json;
        Assert.Equal(Scenarios.Model, body.GetProperty("model").GetString());
        Assert.True(body.GetProperty("stream").GetBoolean());
        Assert.Equal(500, body.GetProperty("max_tokens").GetInt32());
        // The SDK's IChatClient sends system as text blocks (the API takes a string or blocks alike).
        Assert.Equal(
            ["You are the narrator.", "Keep it short."],
            body.GetProperty("system").EnumerateArray().Select(b => b.GetProperty("text").GetString())
        );
        Assert.Equal(
            ["user", "assistant", "user"],
            body.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("role").GetString())
        );
        Assert.Equal("THE END", body.GetProperty("stop_sequences")[0].GetString());
    }

    [Fact]
    public async Task asks_for_a_default_max_tokens_because_the_api_requires_one()
    {
        await using var server = await FakeBackend.StartAsync(Dialect.Anthropic);
        using var client = Clients.For(server.Options());

        await Clients.DrainAsync(client.GetStreamingResponseAsync(Clients.Story()));

        Assert.Equal(
            Anthropic.AnthropicChatClient.DefaultMaxOutputTokens,
            server.LastChatRequest.Json.GetProperty("max_tokens").GetInt32()
        );
    }

    [Fact]
    public async Task non_streaming_response_maps_text_and_usage()
    {
        await using var server = await FakeBackend.StartAsync(
            Dialect.Anthropic,
            Scenarios.Answer(["The door ", "opens."], inputTokens: 20, outputTokens: 3)
        );
        using var client = Clients.For(server.Options());

        var response = await client.GetResponseAsync(Clients.Story());

        Assert.Equal("The door opens.", response.Text);
        Assert.Equal(20, response.Usage?.InputTokenCount);
        Assert.Equal(3, response.Usage?.OutputTokenCount);
        Assert.Equal(Scenarios.Model, response.ModelId);
    }

    [Fact]
    public async Task probe_retrieves_the_configured_model()
    {
        await using var server = await FakeBackend.StartAsync(Dialect.Anthropic);
        var client = (IBackendProbe)Clients.For(server.Options());

        var detail = await client.ProbeAsync(CancellationToken.None);

        Assert.Equal("Test Model available", detail);
        Assert.Contains(server.Requests, r => r.Method == "GET" && r.Path == $"/v1/models/{Scenarios.Model}");
    }
}
