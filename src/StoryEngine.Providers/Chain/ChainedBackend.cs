using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using StoryEngine.Providers.Configuration;

namespace StoryEngine.Providers.Chain;

/// <summary>
/// One backend inside a chain: its client, its health record and its Polly pipeline (retry around a circuit
/// breaker, so every attempt counts towards the breaker and an open circuit is never retried).
/// </summary>
internal sealed class ChainedBackend
{
    /// <summary>Half of the calls within a minute failing opens the circuit (once MinimumThroughput calls were made).</summary>
    private const double FailureRatio = 0.5;
    private static readonly TimeSpan SamplingDuration = TimeSpan.FromMinutes(1);

    private readonly CircuitBreakerStateProvider _breaker = new();

    public ChainedBackend(ChainMember member, NarratorOptions narrator, ILogger logger, TimeProvider time)
    {
        Options = member.Options;
        Client = member.Client;
        var builder = new ResiliencePipelineBuilder { Name = $"backend:{Options.Name}", TimeProvider = time };
        if (narrator.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = narrator.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(narrator.RetryBaseDelayMilliseconds),
                ShouldHandle = args => ValueTask.FromResult(
                    args.Outcome.Exception is { } e && !args.Context.CancellationToken.IsCancellationRequested && FailureClassifier.IsRetryable(e)),
                OnRetry = args =>
                {
                    var failure = FailureDescriber.Describe(args.Outcome.Exception!, Options, narrator, Health.LastError);
                    Health.RecordFailure($"{failure.Reason}. {failure.Hint}", time.GetUtcNow());
                    logger.Retrying(Options.Name, Options.Kind, Options.BaseUrl, args.AttemptNumber + 1, (long)args.RetryDelay.TotalMilliseconds, failure.Reason);
                    return default;
                },
            });
        }
        builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions
        {
            FailureRatio = FailureRatio,
            MinimumThroughput = narrator.CircuitBreakerMinimumThroughput,
            SamplingDuration = SamplingDuration,
            BreakDuration = TimeSpan.FromSeconds(narrator.CircuitBreakerBreakSeconds),
            // The caller giving up says nothing about the backend's health.
            ShouldHandle = args => ValueTask.FromResult(
                args.Outcome.Exception is not null && !(args.Outcome.Exception is OperationCanceledException && args.Context.CancellationToken.IsCancellationRequested)),
            StateProvider = _breaker,
            OnOpened = args =>
            {
                logger.CircuitOpened(Options.Name, args.BreakDuration.TotalSeconds);
                ChainMetrics.CircuitTransition(Options.Name, "open");
                return default;
            },
            OnHalfOpened = _ =>
            {
                logger.CircuitHalfOpened(Options.Name);
                ChainMetrics.CircuitTransition(Options.Name, "half_open");
                return default;
            },
            OnClosed = _ =>
            {
                logger.CircuitClosed(Options.Name);
                ChainMetrics.CircuitTransition(Options.Name, "closed");
                return default;
            },
        });
        Pipeline = builder.Build();
    }

    public BackendOptions Options { get; }

    public IChatClient Client { get; }

    public ResiliencePipeline Pipeline { get; }

    public BackendHealth Health { get; } = new();

    public BackendStatus Status => Health.Snapshot(Options.Name, Options.Kind, Options.BaseUrl, Options.Model,
        circuitOpen: _breaker.CircuitState is CircuitState.Open or CircuitState.Isolated);

    /// <summary>Marks an update with the backend and model that produced it, so the story log can record them.</summary>
    public ChatResponseUpdate Annotate(ChatResponseUpdate update)
    {
        update.ModelId ??= Options.Model;
        update.AdditionalProperties ??= [];
        update.AdditionalProperties[BackendChain.BackendPropertyKey] = Options.Name;
        return update;
    }

    public ChatResponse Annotate(ChatResponse response)
    {
        response.ModelId ??= Options.Model;
        response.AdditionalProperties ??= [];
        response.AdditionalProperties[BackendChain.BackendPropertyKey] = Options.Name;
        return response;
    }
}
