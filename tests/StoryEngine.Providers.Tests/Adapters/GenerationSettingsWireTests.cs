using System.Text.Json;
using Microsoft.Extensions.AI;
using StoryEngine.Providers.Configuration;
using StoryEngine.Providers.Tests.Fakes;

namespace StoryEngine.Providers.Tests.Adapters;

/// <summary>
/// Issue 17: every generation setting reaches each backend in that backend's own wire format, and what a backend
/// cannot take is left out of its request (the narrator lists it in the context inspector instead).
/// </summary>
public sealed class GenerationSettingsWireTests
{
    // What the core's GenerationPlan builds: ChatOptions' own properties, plus min-p and the repetition penalty
    // under GenerationSupport's keys.
    private static ChatOptions All() =>
        new()
        {
            Temperature = 0.7f,
            TopP = 0.9f,
            TopK = 40,
            FrequencyPenalty = 0.25f,
            PresencePenalty = 0.5f,
            MaxOutputTokens = 300,
            StopSequences = ["\nYou:", "THE END"],
            Seed = 1234,
            AdditionalProperties = new()
            {
                [GenerationSupport.MinPKey] = 0.05,
                [GenerationSupport.RepetitionPenaltyKey] = 1.1,
            },
        };

    private static async Task<JsonElement> SendAsync(Dialect dialect)
    {
        await using var server = await FakeBackend.StartAsync(dialect);
        using var client = Clients.For(server.Options());
        var (_, error) = await Clients.DrainAsync(client.GetStreamingResponseAsync(Clients.Story(), All()));
        Assert.Null(error);
        return server.LastChatRequest.Json.Clone();
    }

    private static double Number(JsonElement body, string name) => Math.Round(body.GetProperty(name).GetDouble(), 4);

    [Fact]
    public async Task an_openai_compatible_server_gets_every_setting_as_a_body_field()
    {
        var body = await SendAsync(Dialect.OpenAI);

        Assert.Equal(0.7, Number(body, "temperature"));
        Assert.Equal(0.9, Number(body, "top_p"));
        Assert.Equal(40, body.GetProperty("top_k").GetInt32());
        Assert.Equal(0.05, Number(body, "min_p"));
        Assert.Equal(0.25, Number(body, "frequency_penalty"));
        Assert.Equal(0.5, Number(body, "presence_penalty"));
        Assert.Equal(1.1, Number(body, "repetition_penalty"));
        Assert.Equal(300, body.GetProperty("max_tokens").GetInt32());
        Assert.Equal(["\nYou:", "THE END"], body.GetProperty("stop").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal(1234, body.GetProperty("seed").GetInt64());
    }

    [Fact]
    public async Task ollama_gets_every_setting_in_its_options_under_its_own_names()
    {
        var body = await SendAsync(Dialect.Ollama);

        var options = body.GetProperty("options");
        Assert.Equal(0.7, Number(options, "temperature"));
        Assert.Equal(0.9, Number(options, "top_p"));
        Assert.Equal(40, options.GetProperty("top_k").GetInt32());
        Assert.Equal(0.05, Number(options, "min_p"));
        Assert.Equal(0.25, Number(options, "frequency_penalty"));
        Assert.Equal(0.5, Number(options, "presence_penalty"));
        Assert.Equal(1.1, Number(options, "repeat_penalty"));
        Assert.Equal(300, options.GetProperty("num_predict").GetInt32());
        Assert.Equal(["\nYou:", "THE END"], options.GetProperty("stop").EnumerateArray().Select(s => s.GetString()));
        Assert.Equal(1234, options.GetProperty("seed").GetInt64());
        Assert.False(options.TryGetProperty("repetition_penalty", out _));
    }

    [Fact]
    public async Task anthropic_gets_its_supported_subset_and_nothing_else()
    {
        var body = await SendAsync(Dialect.Anthropic);

        Assert.Equal(0.7, Number(body, "temperature"));
        Assert.Equal(0.9, Number(body, "top_p"));
        Assert.Equal(40, body.GetProperty("top_k").GetInt32());
        Assert.Equal(300, body.GetProperty("max_tokens").GetInt32());
        Assert.Equal(3, body.GetProperty("messages").GetArrayLength());
        Assert.Equal(Scenarios.Model, body.GetProperty("model").GetString());
        Assert.Equal(
            ["\nYou:", "THE END"],
            body.GetProperty("stop_sequences").EnumerateArray().Select(s => s.GetString())
        );
        var sent = body.EnumerateObject().Select(p => p.Name).ToArray();
        foreach (var absent in new[] { "seed", "min_p", "frequency_penalty", "presence_penalty", "repetition_penalty" })
        {
            Assert.DoesNotContain(absent, sent);
        }
        Assert.Equal(
            ["minP", "frequencyPenalty", "presencePenalty", "repetitionPenalty", "seed"],
            GenerationSupport.Unsupported(new BackendOptions { Kind = BackendKinds.Anthropic })
        );
    }

    [Fact]
    public void openai_itself_is_not_sent_the_fields_only_compatible_servers_know()
    {
        var openai = new BackendOptions { Kind = BackendKinds.OpenAI, BaseUrl = "https://api.openai.com/v1" };
        var local = new BackendOptions { Kind = BackendKinds.OpenAI, BaseUrl = "http://127.0.0.1:8080/v1" };

        Assert.Equal(["topK", "minP", "repetitionPenalty"], GenerationSupport.Unsupported(openai));
        Assert.Empty(GenerationSupport.Unsupported(local));
        Assert.Empty(GenerationSupport.Unsupported(new BackendOptions { Kind = BackendKinds.Ollama }));
    }
}
