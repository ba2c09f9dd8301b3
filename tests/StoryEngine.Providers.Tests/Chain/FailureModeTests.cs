using StoryEngine.Providers.Errors;
using StoryEngine.Providers.Tests.Fakes;

namespace StoryEngine.Providers.Tests.Chain;

/// <summary>Each way a backend can fail, for each wire protocol, through the chain the narrator uses.</summary>
public sealed class FailureModeTests
{
    public static TheoryData<string> Kinds => ["openai", "ollama", "anthropic"];

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task http_500_is_retried_then_reported_as_unavailable(string kind)
    {
        await using var server = await FakeBackend.StartAsync(Dialect.For(kind), Scenarios.Status(500));
        using var chain = ChainHarness.Over(ChainHarness.Narrator(maxRetries: 2), server.Options());

        var (updates, error) = await Clients.DrainAsync(chain.GetStreamingResponseAsync(Clients.Story()));

        Assert.Empty(updates);
        var unavailable = Assert.IsType<BackendUnavailableException>(error);
        Assert.Contains("HTTP 500", unavailable.Detail, StringComparison.Ordinal);
        Assert.Equal(3, server.ChatRequestCount); // the first try and two retries
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task hang_before_the_first_token_hits_the_first_token_timeout(string kind)
    {
        await using var server = await FakeBackend.StartAsync(Dialect.For(kind), Scenarios.Hang());
        using var chain = ChainHarness.Over(ChainHarness.Narrator(maxRetries: 0, timeoutSeconds: 1), server.Options());

        var (updates, error) = await Clients.DrainAsync(chain.GetStreamingResponseAsync(Clients.Story()));

        Assert.Empty(updates);
        var unavailable = Assert.IsType<BackendUnavailableException>(error);
        Assert.Contains("sent no token within 1 s", unavailable.Detail, StringComparison.Ordinal);
        Assert.IsType<BackendTimeoutException>(unavailable.Failures.Single().Exception);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task stream_cut_half_way_keeps_the_tokens_and_is_not_retried(string kind)
    {
        var dialect = Dialect.For(kind);
        // Frames up to and including the second token: OpenAI and Anthropic open with bookkeeping frames.
        var framesBeforeCut = kind switch
        {
            "openai" => 3,
            "anthropic" => 5,
            _ => 2,
        };
        var cut = new TaskCompletionSource();
        await using var server = await FakeBackend.StartAsync(
            dialect,
            Scenarios.CutAfter(framesBeforeCut, cut.Task, "Once", " upon", " a", " time.")
        );
        await using var spare = await FakeBackend.StartAsync(dialect);
        using var chain = ChainHarness.Over(
            ChainHarness.Narrator(maxRetries: 2),
            server.Options("first"),
            spare.Options("spare")
        );

        var (updates, error) = await Clients.DrainAsync(
            chain.GetStreamingResponseAsync(Clients.Story()),
            afterEach: seen =>
            {
                if (Clients.Text(seen) == "Once upon")
                {
                    cut.TrySetResult();
                }
            }
        );

        Assert.Equal("Once upon", Clients.Text(updates));
        var interrupted = Assert.IsType<BackendStreamInterruptedException>(error);
        Assert.Equal("first", interrupted.BackendName);
        Assert.Equal(1, server.ChatRequestCount);
        Assert.Equal(0, spare.ChatRequestCount);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task silence_after_the_first_token_hits_the_idle_timeout(string kind)
    {
        var framesBeforeStall = kind switch
        {
            "openai" => 2,
            "anthropic" => 4,
            _ => 1,
        };
        await using var server = await FakeBackend.StartAsync(
            Dialect.For(kind),
            Scenarios.StallAfter(framesBeforeStall, "Once", " upon")
        );
        using var chain = ChainHarness.Over(ChainHarness.Narrator(maxRetries: 2, timeoutSeconds: 1), server.Options());

        var (updates, error) = await Clients.DrainAsync(chain.GetStreamingResponseAsync(Clients.Story()));

        Assert.Equal("Once", Clients.Text(updates));
        var interrupted = Assert.IsType<BackendStreamInterruptedException>(error);
        Assert.IsType<BackendTimeoutException>(interrupted.InnerException);
        Assert.Contains("went quiet for 1 s", interrupted.Detail, StringComparison.Ordinal);
        Assert.Equal(BackendStreamInterruptedException.ForPlayer, interrupted.Message);
        Assert.Equal(1, server.ChatRequestCount);
    }

    [Fact]
    public async Task a_slow_reader_is_not_mistaken_for_a_stalled_backend()
    {
        var resume = new TaskCompletionSource();
        await using var server = await FakeBackend.StartAsync(
            Dialect.Ollama,
            Scenarios.PauseAfter(1, resume.Task, "Once", " upon", " a", " time.")
        );
        // Generous timeouts relative to the machine: the rest of the stream must arrive within 3 s of being asked
        // for, even on a loaded 2-core CI box; the reader's pause (4.5 s) is what exceeds the idle timeout.
        using var chain = ChainHarness.Over(ChainHarness.Narrator(maxRetries: 0, timeoutSeconds: 3), server.Options());
        var text = "";

        await foreach (var update in chain.GetStreamingResponseAsync(Clients.Story()))
        {
            if (text.Length == 0 && update.Text.Length > 0)
            {
                // The caller spends longer than the idle timeout on the first token (say, writing to a slow
                // client); only then does the backend send the rest, promptly once it is asked for more.
                await Task.Delay(TimeSpan.FromSeconds(4.5));
                resume.SetResult();
            }
            text += update.Text;
        }

        Assert.Equal("Once upon a time.", text);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task malformed_chunk_is_a_clear_protocol_error_not_a_hang(string kind)
    {
        // The fake keeps the connection open after the bad frame, so only parsing it can end this call.
        await using var server = await FakeBackend.StartAsync(Dialect.For(kind), Scenarios.MalformedAfter(0));
        using var client = Clients.For(server.Options());
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));

        var (updates, error) = await Clients.DrainAsync(
            client.GetStreamingResponseAsync(Clients.Story()),
            deadline.Token
        );

        Assert.False(
            deadline.IsCancellationRequested,
            "the client waited for more data instead of rejecting the " + "malformed frame"
        );
        Assert.Equal("", Clients.Text(updates));
        var protocol = Assert.IsType<BackendProtocolException>(error);
        Assert.Contains("malformed", protocol.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task malformed_first_chunk_makes_the_chain_fall_back_without_retrying(string kind)
    {
        var dialect = Dialect.For(kind);
        await using var broken = await FakeBackend.StartAsync(dialect, Scenarios.MalformedAfter(0));
        await using var spare = await FakeBackend.StartAsync(dialect);
        using var chain = ChainHarness.Over(
            ChainHarness.Narrator(maxRetries: 2),
            broken.Options("broken"),
            spare.Options("spare")
        );

        var (updates, error) = await Clients.DrainAsync(chain.GetStreamingResponseAsync(Clients.Story()));

        Assert.Null(error);
        Assert.Equal("Once upon a time.", Clients.Text(updates));
        Assert.Equal(1, broken.ChatRequestCount);
        Assert.Equal("unusable", chain.Status[0].LastError?.Split(':')[0].Split(' ').Last());
    }
}
