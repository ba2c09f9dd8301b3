using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Logging.Abstractions;
using StoryEngine.Server.Gateway;
using StoryEngine.Tests.Infrastructure;

namespace StoryEngine.Tests.Gateway;

/// <summary>Issue 21's identical-request cache: deterministic utility calls answered once, identical calls in flight
/// made once, sampled calls never cached.</summary>
public sealed class IdenticalRequestCacheTests
{
    [Fact]
    public async Task the_same_deterministic_call_is_answered_from_the_cache_the_second_time()
    {
        var (cache, model, statistics) = Build();
        var options = new ChatOptions { Temperature = 0 };

        var first = await cache.GetResponseAsync([new ChatMessage(ChatRole.User, "state of turn 4")], options);
        var second = await cache.GetResponseAsync([new ChatMessage(ChatRole.User, "state of turn 4")], options);
        var other = await cache.GetResponseAsync([new ChatMessage(ChatRole.User, "state of turn 5")], options);

        Assert.Equal(2, model.Calls);
        Assert.Equal(first.Text, second.Text);
        Assert.NotEqual(first.Text, other.Text);
        Assert.Equal(true, second.AdditionalProperties?["cached"]);
        Assert.Null(second.Usage); // a hit spent no tokens
        Assert.Equal((1L, 2L), statistics.For("counting"));
    }

    [Fact]
    public async Task identical_calls_in_flight_at_once_are_made_once()
    {
        var (cache, model, _) = Build();
        model.Hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var options = new ChatOptions { Seed = 7, Temperature = 0.7f };

        var calls = Enumerable
            .Range(0, 5)
            .Select(_ => cache.GetResponseAsync([new ChatMessage(ChatRole.User, "summarise")], options))
            .ToArray();
        await Poll.UntilAsync(() => model.Calls == 1, "the model was never called");
        model.Hold.SetResult();
        var answers = await Task.WhenAll(calls);

        Assert.Equal(1, model.Calls);
        Assert.Single(answers.Select(a => a.Text).Distinct());
    }

    [Fact]
    public async Task a_sampled_call_always_goes_to_the_model()
    {
        var (cache, model, _) = Build();
        var sampled = new ChatOptions { Temperature = 0.9f };

        await cache.GetResponseAsync([new ChatMessage(ChatRole.User, "tell me a tale")], sampled);
        await cache.GetResponseAsync([new ChatMessage(ChatRole.User, "tell me a tale")], sampled);
        await cache.GetResponseAsync([new ChatMessage(ChatRole.User, "tell me a tale")]);

        Assert.Equal(3, model.Calls);
    }

    private static (IdenticalRequestCache Cache, CountingModel Model, GatewayStatistics Statistics) Build()
    {
        var services = new ServiceCollection();
        services.AddHybridCache();
        var hybrid = services.BuildServiceProvider().GetRequiredService<HybridCache>();
        var model = new CountingModel();
        var statistics = new GatewayStatistics();
        return (
            new IdenticalRequestCache(
                model,
                "utility",
                hybrid,
                statistics,
                TimeSpan.FromMinutes(5),
                NullLogger.Instance
            ),
            model,
            statistics
        );
    }

    /// <summary>A model that answers each call with a new text and counts the calls (tests only).</summary>
    private sealed class CountingModel : IChatClient
    {
        private int _calls;

        public int Calls => _calls;

        public TaskCompletionSource? Hold { get; set; }

        public async Task<ChatResponse> GetResponseAsync(
            IEnumerable<ChatMessage> messages,
            ChatOptions? options = null,
            CancellationToken cancellationToken = default
        )
        {
            var call = Interlocked.Increment(ref _calls);
            if (Hold is { } hold)
            {
                await hold.Task;
            }
            return new ChatResponse(new ChatMessage(ChatRole.Assistant, $"answer {call} to {messages.Last().Text}"))
            {
                Usage = new UsageDetails { InputTokenCount = 10, OutputTokenCount = 5 },
                AdditionalProperties = new() { ["backend"] = "counting" },
            };
        }

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
            IEnumerable<ChatMessage> messages,
            ChatOptions? options = null,
            CancellationToken cancellationToken = default
        ) => throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose() { }
    }
}
