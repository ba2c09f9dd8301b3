using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.AI;
using StoryEngine.Providers.Chain;
using StoryEngine.Providers.Configuration;
using StoryEngine.Providers.Errors;
using StoryEngine.Providers.Tests.Fakes;

namespace StoryEngine.Providers.Tests.Chain;

/// <summary>
/// The breaker judges turns, not attempts, over a window (issue #15, fault 3): a burst of failures at a 30% error rate
/// must not open it for everyone, a backend that fails every turn must, and after the break one trial turn goes
/// through.
/// </summary>
public sealed partial class CircuitBreakerTests
{
    private const int Turns = 30;

    /// <summary>The breaker as configured by default; only the retry backoff is shortened.</summary>
    private static NarratorOptions Defaults(int maxRetries = 2) =>
        new()
        {
            MaxRetries = maxRetries,
            RetryBaseDelayMilliseconds = 5,
            FirstTokenTimeoutSeconds = 10,
            IdleTimeoutSeconds = 10,
        };

    [Fact]
    public async Task thirty_percent_errors_across_thirty_concurrent_turns_keep_the_circuit_closed()
    {
        // Turns 5 and 17 fail every attempt; every third other turn fails its first attempt only. Failures answer at
        // once and answers take a while, as with an overloaded server, so the failures are the first outcomes the
        // breaker sees: counting attempts (as it did) opened it within the first handful.
        int[] doomed = [5, 17];
        var attempts = new ConcurrentDictionary<int, int>();
        Scenario flaky = async (context, dialect, stopping) =>
        {
            var turn = TurnOf(await FakeBackend.ReadBodyAsync(context.Request));
            var attempt = attempts.AddOrUpdate(turn, 1, (_, n) => n + 1);
            if (doomed.Contains(turn) || (turn % 3 == 0 && attempt == 1))
            {
                await Scenarios.Status(500)(context, dialect, stopping);
                return;
            }
            await Task.Delay(200, stopping);
            await Scenarios.Answer("The ", "door ", "opens.")(context, dialect, stopping);
        };
        await using var server = await FakeBackend.StartAsync(Dialect.OpenAI, flaky);
        using var chain = ChainHarness.Over(Defaults(), server.Options("flaky"));

        var outcomes = await Task.WhenAll(
            Enumerable.Range(0, Turns).Select(turn => Clients.DrainAsync(chain.GetStreamingResponseAsync(Turn(turn))))
        );

        var failed = Enumerable.Range(0, Turns).Where(turn => outcomes[turn].Error is not null).ToArray();
        Assert.Equal(doomed, failed);
        Assert.All(failed, turn => Assert.IsType<BackendUnavailableException>(outcomes[turn].Error));
        Assert.All(failed, turn => Assert.Equal(3, attempts[turn]));
        var failedRequests =
            doomed.Length * 3 + Enumerable.Range(0, Turns).Count(t => t % 3 == 0 && !doomed.Contains(t));
        var errorRate = (double)failedRequests / server.ChatRequestCount;
        Assert.InRange(errorRate, 0.25, 0.4);
        Assert.NotEqual(BackendState.CircuitOpen, chain.Status[0].State);

        // Still closed: the next turn reaches the backend.
        var before = server.ChatRequestCount;
        var (_, error) = await Clients.DrainAsync(chain.GetStreamingResponseAsync(Turn(31)));
        Assert.Null(error);
        Assert.Equal(before + 1, server.ChatRequestCount);
    }

    [Fact]
    public async Task a_backend_that_fails_every_turn_opens_its_circuit_and_the_fallback_answers()
    {
        await using var broken = await FakeBackend.StartAsync(Dialect.Ollama, Scenarios.Status(500));
        await using var steady = await FakeBackend.StartAsync(Dialect.OpenAI, Scenarios.Answer("Still ", "here."));
        var narrator = Defaults(maxRetries: 1);
        using var chain = ChainHarness.Over(narrator, broken.Options("broken"), steady.Options("steady"));

        var outcomes = await Task.WhenAll(
            Enumerable
                .Range(0, narrator.CircuitBreakerMinimumThroughput)
                .Select(turn => Clients.DrainAsync(chain.GetStreamingResponseAsync(Turn(turn))))
        );

        Assert.All(outcomes, o => Assert.Null(o.Error));
        Assert.All(outcomes, o => Assert.Equal("steady", ChainHarness.BackendOf(o.Updates[^1])));
        Assert.Equal(BackendState.CircuitOpen, chain.Status[0].State);
        var whenOpened = broken.ChatRequestCount;
        Assert.Equal(narrator.CircuitBreakerMinimumThroughput * 2, whenOpened); // each turn and its one retry

        var (updates, error) = await Clients.DrainAsync(chain.GetStreamingResponseAsync(Turn(99)));
        Assert.Null(error);
        Assert.Equal("steady", ChainHarness.BackendOf(updates[^1]));
        Assert.Equal(whenOpened, broken.ChatRequestCount);
    }

    [Fact]
    public async Task with_no_fallback_an_open_circuit_tells_the_player_plainly_to_try_again_later()
    {
        await using var broken = await FakeBackend.StartAsync(Dialect.OpenAI, Scenarios.Status(500));
        var narrator = Defaults(maxRetries: 0);
        narrator.CircuitBreakerMinimumThroughput = 2;
        using var chain = ChainHarness.Over(narrator, broken.Options("broken"));
        for (var turn = 0; turn < 2; turn++)
        {
            await Clients.DrainAsync(chain.GetStreamingResponseAsync(Turn(turn)));
        }

        var (_, error) = await Clients.DrainAsync(chain.GetStreamingResponseAsync(Turn(2)));

        var unavailable = Assert.IsType<BackendUnavailableException>(error);
        Assert.Equal(BackendUnavailableException.Paused, unavailable.Message);
        Assert.DoesNotContain("127.0.0.1", unavailable.Message, StringComparison.Ordinal);
        Assert.Contains("circuit open", unavailable.Detail, StringComparison.Ordinal);
        Assert.Contains(broken.BaseUrl, unavailable.Detail, StringComparison.Ordinal);
        Assert.Equal(2, broken.ChatRequestCount);
    }

    [Fact]
    public async Task after_the_break_one_trial_turn_reaches_the_backend_and_its_success_closes_the_circuit()
    {
        var release = new TaskCompletionSource();
        var trials = 0;
        var recovering = false;
        Scenario scenario = async (context, dialect, stopping) =>
        {
            if (!Volatile.Read(ref recovering))
            {
                await Scenarios.Status(500)(context, dialect, stopping);
                return;
            }
            Interlocked.Increment(ref trials);
            await release.Task.WaitAsync(stopping);
            await Scenarios.Answer("Back ", "again.")(context, dialect, stopping);
        };
        await using var flaky = await FakeBackend.StartAsync(Dialect.Ollama, scenario);
        await using var steady = await FakeBackend.StartAsync(Dialect.OpenAI, Scenarios.Answer("Meanwhile."));
        var narrator = Defaults(maxRetries: 0);
        narrator.CircuitBreakerMinimumThroughput = 2;
        narrator.CircuitBreakerBreakSeconds = 0.5;
        using var chain = ChainHarness.Over(narrator, flaky.Options("flaky"), steady.Options("steady"));
        for (var turn = 0; turn < 2; turn++)
        {
            await Clients.DrainAsync(chain.GetStreamingResponseAsync(Turn(turn)));
        }
        Assert.Equal(BackendState.CircuitOpen, chain.Status[0].State);

        Volatile.Write(ref recovering, true);
        await Task.Delay(TimeSpan.FromSeconds(0.8));
        var trial = Clients.DrainAsync(chain.GetStreamingResponseAsync(Turn(10)));
        // While the trial is out, every other turn skips the half-open backend.
        await WaitUntilAsync(() => Volatile.Read(ref trials) == 1);
        var others = await Task.WhenAll(
            Enumerable.Range(11, 5).Select(turn => Clients.DrainAsync(chain.GetStreamingResponseAsync(Turn(turn))))
        );
        Assert.All(others, o => Assert.Equal("steady", ChainHarness.BackendOf(o.Updates[^1])));
        Assert.Equal(1, Volatile.Read(ref trials));

        release.SetResult();
        var (updates, error) = await trial;
        Assert.Null(error);
        Assert.Equal("flaky", ChainHarness.BackendOf(updates[^1]));
        var (next, _) = await Clients.DrainAsync(chain.GetStreamingResponseAsync(Turn(20)));
        Assert.Equal("flaky", ChainHarness.BackendOf(next[^1]));
        Assert.Equal(BackendState.Up, chain.Status[0].State);
    }

    private static List<ChatMessage> Turn(int number) =>
        [new(ChatRole.System, "You are the narrator."), new(ChatRole.User, $"Turn {number}: I open the door.")];

    private static int TurnOf(string body) =>
        int.Parse(TurnNumber().Match(body).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!condition())
        {
            await Task.Delay(10, deadline.Token);
        }
    }

    [GeneratedRegex(@"Turn (\d+):")]
    private static partial Regex TurnNumber();
}
