using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.AI;
using StoryEngine.Providers.Chain;
using StoryEngine.Providers.Errors;
using StoryEngine.Providers.Tests.Fakes;

namespace StoryEngine.Providers.Tests.Chain;

public sealed class BackendChainTests
{
    [Fact]
    public async Task falls_back_to_second_backend_when_first_returns_500()
    {
        await using var first = await FakeBackend.StartAsync(Dialect.Ollama, Scenarios.Status(500));
        await using var second = await FakeBackend.StartAsync(
            Dialect.OpenAI,
            Scenarios.Answer("The ", "cave ", "glows.")
        );
        using var chain = ChainHarness.Over(
            ChainHarness.Narrator(maxRetries: 1),
            first.Options("local"),
            second.Options("cloud")
        );

        var (updates, error) = await Clients.DrainAsync(chain.GetStreamingResponseAsync(Clients.Story()));

        Assert.Null(error);
        Assert.Equal("The cave glows.", Clients.Text(updates));
        Assert.All(updates, u => Assert.Equal("cloud", ChainHarness.BackendOf(u)));
        Assert.All(updates, u => Assert.Equal(Scenarios.Model, u.ModelId));
        Assert.Equal(2, first.ChatRequestCount);
    }

    [Fact]
    public async Task falls_back_to_second_backend_when_first_refuses_the_connection()
    {
        await using var second = await FakeBackend.StartAsync(Dialect.Anthropic, Scenarios.Answer("Rain ", "falls."));
        using var chain = ChainHarness.Over(
            ChainHarness.Narrator(maxRetries: 1),
            ChainHarness.Refusing("ollama", "local"),
            second.Options("claude")
        );

        var (updates, error) = await Clients.DrainAsync(chain.GetStreamingResponseAsync(Clients.Story()));

        Assert.Null(error);
        Assert.Equal("Rain falls.", Clients.Text(updates));
        Assert.Equal("claude", ChainHarness.BackendOf(updates[^1]));
        var local = chain.Status[0];
        Assert.Equal(BackendState.Down, local.State);
        Assert.Contains("refused the connection", local.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task retries_before_the_first_token_and_then_answers_from_the_same_backend()
    {
        await using var server = await FakeBackend.StartAsync(
            Dialect.Ollama,
            Scenarios.Status(503),
            Scenarios.Status(500),
            Scenarios.Answer("Third ", "time.")
        );
        using var chain = ChainHarness.Over(ChainHarness.Narrator(maxRetries: 2), server.Options());

        var (updates, error) = await Clients.DrainAsync(chain.GetStreamingResponseAsync(Clients.Story()));

        Assert.Null(error);
        Assert.Equal("Third time.", Clients.Text(updates));
        Assert.Equal(3, server.ChatRequestCount);
        Assert.Equal(BackendState.Up, chain.Status[0].State);
    }

    [Fact]
    public async Task anthropic_error_event_before_the_first_token_is_retried()
    {
        Scenario overloaded = async (context, _, _) =>
        {
            context.Response.ContentType = "text/event-stream";
            await context.Response.WriteAsync(
                "event: message_start\ndata: "
                    + "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\","
                    + "\"role\":\"assistant\","
                    + "\"content\":[],\"model\":\"test-model\",\"stop_reason\":null,\"stop_sequence\":null,"
                    + "\"usage\":{\"input_tokens\":3,\"output_tokens\":1}}}\n\n"
                    + "event: error\ndata: "
                    + "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n"
            );
        };
        await using var server = await FakeBackend.StartAsync(
            Dialect.Anthropic,
            overloaded,
            Scenarios.Answer("Calm ", "again.")
        );
        using var chain = ChainHarness.Over(ChainHarness.Narrator(maxRetries: 1), server.Options());

        var (updates, error) = await Clients.DrainAsync(chain.GetStreamingResponseAsync(Clients.Story()));

        Assert.Null(error);
        Assert.Equal("Calm again.", Clients.Text(updates));
        Assert.Equal(2, server.ChatRequestCount);
        Assert.Contains("overloaded_error", chain.Status[0].LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task does_not_retry_a_refusal_that_would_repeat()
    {
        await using var first = await FakeBackend.StartAsync(Dialect.OpenAI, Scenarios.Status(401, "invalid api key"));
        await using var second = await FakeBackend.StartAsync(Dialect.Ollama);
        using var chain = ChainHarness.Over(
            ChainHarness.Narrator(maxRetries: 2),
            first.Options("openrouter"),
            second.Options("local")
        );

        var (updates, error) = await Clients.DrainAsync(chain.GetStreamingResponseAsync(Clients.Story()));

        Assert.Null(error);
        Assert.Equal("local", ChainHarness.BackendOf(updates[^1]));
        Assert.Equal(1, first.ChatRequestCount);
        Assert.Contains("Check Backends:openrouter:ApiKey", chain.Status[0].LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task circuit_opens_after_repeated_failures_and_then_skips_the_backend()
    {
        await using var flaky = await FakeBackend.StartAsync(Dialect.Ollama, Scenarios.Status(500));
        await using var steady = await FakeBackend.StartAsync(Dialect.OpenAI);
        using var chain = ChainHarness.Over(
            ChainHarness.Narrator(maxRetries: 0, breakerThroughput: 2),
            flaky.Options("flaky"),
            steady.Options("steady")
        );

        for (var turn = 0; turn < 2; turn++)
        {
            var (_, turnError) = await Clients.DrainAsync(chain.GetStreamingResponseAsync(Clients.Story()));
            Assert.Null(turnError);
        }
        var requestsWhenOpened = flaky.ChatRequestCount;
        var (updates, error) = await Clients.DrainAsync(chain.GetStreamingResponseAsync(Clients.Story()));

        Assert.Null(error);
        Assert.Equal("steady", ChainHarness.BackendOf(updates[^1]));
        Assert.Equal(2, requestsWhenOpened);
        Assert.Equal(requestsWhenOpened, flaky.ChatRequestCount);
        var status = chain.Status[0];
        Assert.Equal(BackendState.CircuitOpen, status.State);
        Assert.Contains("HTTP 500", status.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task all_backends_down_gives_a_message_that_says_what_to_start()
    {
        var ollama = ChainHarness.Refusing("ollama");
        using var chain = ChainHarness.Over(ChainHarness.Narrator(maxRetries: 0), ollama);

        var (updates, error) = await Clients.DrainAsync(chain.GetStreamingResponseAsync(Clients.Story()));

        Assert.Empty(updates);
        var unavailable = Assert.IsType<BackendUnavailableException>(error);
        Assert.StartsWith(
            $"No model backend answered: ollama at {ollama.BaseUrl} refused the connection. "
                + "Start Ollama (`ollama serve`) or fix Backends:ollama:BaseUrl.",
            unavailable.Detail,
            StringComparison.Ordinal
        );
        Assert.Equal(BackendUnavailableException.NotAnswering, unavailable.Message);
        Assert.Contains("Narrator:Backends", unavailable.Detail, StringComparison.Ordinal);
        Assert.Equal("ollama", Assert.Single(unavailable.Failures).BackendName);
    }

    [Fact]
    public async Task all_backends_down_lists_each_backend_with_its_own_advice()
    {
        await using var missingModel = await FakeBackend.StartAsync(
            Dialect.Ollama,
            Scenarios.Status(404, "model \"test-model\" not found, try pulling it first")
        );
        var cloud = ChainHarness.Refusing("anthropic", "cloud");
        using var chain = ChainHarness.Over(ChainHarness.Narrator(maxRetries: 0), missingModel.Options("local"), cloud);

        var error = await Assert.ThrowsAsync<BackendUnavailableException>(() =>
            chain.GetResponseAsync(Clients.Story())
        );

        Assert.Equal(["local", "cloud"], error.Failures.Select(f => f.BackendName));
        Assert.Contains("local (ollama at ", error.Detail, StringComparison.Ordinal);
        Assert.Contains("Pull it with `ollama pull test-model`", error.Detail, StringComparison.Ordinal);
        Assert.Contains("cloud (anthropic at ", error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task status_records_latency_and_success_of_the_backend_that_answered_and_the_error_of_the_other()
    {
        await using var down = await FakeBackend.StartAsync(Dialect.OpenAI, Scenarios.Status(502, "bad gateway"));
        await using var up = await FakeBackend.StartAsync(Dialect.Ollama);
        using var chain = ChainHarness.Over(
            ChainHarness.Narrator(maxRetries: 0),
            down.Options("proxy"),
            up.Options("local")
        );
        Assert.All(chain.Status, s => Assert.Equal(BackendState.Unknown, s.State));

        await Clients.DrainAsync(chain.GetStreamingResponseAsync(Clients.Story()));

        var (proxy, local) = (chain.Status[0], chain.Status[1]);
        Assert.Equal(
            ("proxy", "openai", down.BaseUrl, Scenarios.Model),
            (proxy.Name, proxy.Kind, proxy.BaseUrl, proxy.Model)
        );
        Assert.Equal(BackendState.Down, proxy.State);
        Assert.Contains("HTTP 502", proxy.LastError, StringComparison.Ordinal);
        Assert.NotNull(proxy.LastFailureAt);
        Assert.Null(proxy.LastSuccessAt);
        Assert.Equal(BackendState.Up, local.State);
        Assert.NotNull(local.LastLatency);
        Assert.True(local.LastLatency > TimeSpan.Zero);
        Assert.NotNull(local.LastSuccessAt);
        Assert.Null(local.LastError);
    }

    [Fact]
    public async Task non_streaming_call_falls_back_and_reports_the_backend()
    {
        await using var first = await FakeBackend.StartAsync(Dialect.Anthropic, Scenarios.Status(529, "overloaded"));
        await using var second = await FakeBackend.StartAsync(
            Dialect.Ollama,
            Scenarios.Answer(["A ", "quiet ", "night."], inputTokens: 9, outputTokens: 3)
        );
        using var chain = ChainHarness.Over(
            ChainHarness.Narrator(maxRetries: 1),
            first.Options("claude"),
            second.Options("local")
        );

        var response = await chain.GetResponseAsync(Clients.Story());

        Assert.Equal("A quiet night.", response.Text);
        Assert.Equal("local", response.AdditionalProperties?[BackendChain.BackendPropertyKey]);
        Assert.Equal(Scenarios.Model, response.ModelId);
        Assert.Equal(9, response.Usage?.InputTokenCount);
        Assert.Equal(3, response.Usage?.OutputTokenCount);
        Assert.Equal(2, first.ChatRequestCount);
    }

    [Fact]
    public async Task non_streaming_call_retries_a_stream_cut_half_way_because_the_caller_saw_nothing()
    {
        var cut = new TaskCompletionSource();
        cut.SetResult(); // nobody reads tokens here, so the cut needs no signal
        await using var server = await FakeBackend.StartAsync(
            Dialect.Ollama,
            Scenarios.CutAfter(2, cut.Task, "Half", " a", " story."),
            Scenarios.Answer("Whole ", "story.")
        );
        using var chain = ChainHarness.Over(ChainHarness.Narrator(maxRetries: 1), server.Options());

        var response = await chain.GetResponseAsync(Clients.Story());

        Assert.Equal("Whole story.", response.Text);
        Assert.Equal(2, server.ChatRequestCount);
    }

    [Fact]
    public async Task caller_cancellation_is_not_counted_as_a_backend_failure()
    {
        await using var slow = await FakeBackend.StartAsync(Dialect.Ollama, Scenarios.Hang());
        await using var spare = await FakeBackend.StartAsync(Dialect.OpenAI);
        var narrator = ChainHarness.Narrator(maxRetries: 2);
        narrator.FirstTokenTimeoutSeconds = 30;
        using var chain = ChainHarness.Over(narrator, slow.Options("slow"), spare.Options("spare"));
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        var (_, error) = await Clients.DrainAsync(
            chain.GetStreamingResponseAsync(Clients.Story(), cancellationToken: cancel.Token)
        );

        Assert.IsAssignableFrom<OperationCanceledException>(error);
        Assert.Equal(0, spare.ChatRequestCount);
        Assert.Equal(1, slow.ChatRequestCount);
        Assert.Equal(BackendState.Unknown, chain.Status[0].State);
    }

    [Fact]
    public async Task probe_updates_the_status_of_every_backend_without_spending_tokens()
    {
        await using var ollama = await FakeBackend.StartAsync(Dialect.Ollama);
        await using var openai = await FakeBackend.StartAsync(Dialect.OpenAI);
        await using var anthropic = await FakeBackend.StartAsync(Dialect.Anthropic);
        var gone = ChainHarness.Refusing("openai", "gone");
        using var chain = ChainHarness.Over(
            ChainHarness.Narrator(),
            ollama.Options(),
            openai.Options(),
            anthropic.Options(),
            gone
        );

        var status = await chain.ProbeAsync();

        Assert.Equal(
            [BackendState.Up, BackendState.Up, BackendState.Up, BackendState.Down],
            status.Select(s => s.State)
        );
        Assert.Equal($"Ollama 0.12.3, {Scenarios.Model} pulled", status[0].Detail);
        Assert.Contains("refused the connection", status[3].LastError, StringComparison.Ordinal);
        Assert.Equal(0, ollama.ChatRequestCount + openai.ChatRequestCount + anthropic.ChatRequestCount);
    }

    [Fact]
    public async Task probe_marks_ollama_down_when_the_model_is_not_pulled()
    {
        await using var ollama = await FakeBackend.StartAsync(Dialect.Ollama);
        ollama.PulledModels.Clear();
        using var chain = ChainHarness.Over(ChainHarness.Narrator(), ollama.Options());

        var status = Assert.Single(await chain.ProbeAsync());

        Assert.Equal(BackendState.Down, status.State);
        Assert.Contains("Pull it with `ollama pull test-model`", status.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task the_callers_model_id_does_not_override_each_backends_configured_model()
    {
        await using var server = await FakeBackend.StartAsync(Dialect.Ollama);
        using var chain = ChainHarness.Over(ChainHarness.Narrator(), server.Options());

        await Clients.DrainAsync(
            chain.GetStreamingResponseAsync(
                Clients.Story(),
                new ChatOptions { ModelId = "something-else", Temperature = 0.9f }
            )
        );

        var body = server.LastChatRequest.Json;
        Assert.Equal(Scenarios.Model, body.GetProperty("model").GetString());
        Assert.Equal(0.9, body.GetProperty("options").GetProperty("temperature").GetDouble(), 3);
    }
}
