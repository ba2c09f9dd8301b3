using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using StoryEngine.Providers.Configuration;

namespace StoryEngine.Providers.Chain;

/// <summary>
/// One backend inside a chain: its client, its health record and its Polly pipeline: a circuit breaker around the
/// retries. The breaker sees one outcome per turn, after that turn's retries, so a turn that failed twice and then
/// answered counts as one success, and one that gave up counts as one failure (issue #15, fault 3: counting every
/// attempt let a 30% error rate open the circuit for everyone). An open circuit is never retried.
/// </summary>
/// <remarks>The breaker belongs to this backend and its model (<see cref="BreakerKey"/>): the chain sends every call
/// with the backend's configured model, so two backends on one server with different models break apart.</remarks>
internal sealed class ChainedBackend
{
    private readonly CircuitBreakerStateProvider _breaker = new();

    public ChainedBackend(ChainMember member, NarratorOptions narrator, ILogger logger, TimeProvider time)
    {
        Options = member.Options;
        Client = member.Client;
        Gate = member.Gate;
        var key = BreakerKey;
        var builder = new ResiliencePipelineBuilder { Name = $"backend:{key}", TimeProvider = time };
        builder.AddCircuitBreaker(
            new CircuitBreakerStrategyOptions
            {
                FailureRatio = narrator.CircuitBreakerFailureRatio,
                MinimumThroughput = narrator.CircuitBreakerMinimumThroughput,
                SamplingDuration = TimeSpan.FromSeconds(narrator.CircuitBreakerSamplingSeconds),
                BreakDuration = TimeSpan.FromSeconds(narrator.CircuitBreakerBreakSeconds),
                // The caller giving up says nothing about the backend's health.
                ShouldHandle = args =>
                    ValueTask.FromResult(
                        args.Outcome.Exception is { } e
                            && !(
                                e is OperationCanceledException
                                && args.Context.CancellationToken.IsCancellationRequested
                            )
                    ),
                StateProvider = _breaker,
                OnOpened = args =>
                {
                    logger.CircuitOpened(key, args.BreakDuration.TotalSeconds);
                    ChainMetrics.CircuitTransition(Options.Name, "open");
                    return default;
                },
                OnHalfOpened = _ =>
                {
                    logger.CircuitHalfOpened(key);
                    ChainMetrics.CircuitTransition(Options.Name, "half_open");
                    return default;
                },
                OnClosed = _ =>
                {
                    logger.CircuitClosed(key);
                    ChainMetrics.CircuitTransition(Options.Name, "closed");
                    return default;
                },
            }
        );
        if (narrator.MaxRetries > 0)
        {
            builder.AddRetry(
                new RetryStrategyOptions
                {
                    MaxRetryAttempts = narrator.MaxRetries,
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    Delay = TimeSpan.FromMilliseconds(narrator.RetryBaseDelayMilliseconds),
                    ShouldHandle = args =>
                        ValueTask.FromResult(
                            args.Outcome.Exception is { } e
                                && !args.Context.CancellationToken.IsCancellationRequested
                                && FailureClassifier.IsRetryable(e)
                        ),
                    OnRetry = args =>
                    {
                        var failure = FailureDescriber.Describe(
                            args.Outcome.Exception!,
                            Options,
                            narrator,
                            Health.LastError
                        );
                        Health.RecordFailure($"{failure.Reason}. {failure.Hint}", time.GetUtcNow());
                        logger.Retrying(
                            Options.Name,
                            Options.Kind,
                            Options.BaseUrl,
                            args.AttemptNumber + 1,
                            (long)args.RetryDelay.TotalMilliseconds,
                            failure.Reason
                        );
                        return default;
                    },
                }
            );
        }
        Pipeline = builder.Build();
    }

    /// <summary>"name/model": what the breaker is for, in its log lines and the pipeline's name.</summary>
    public string BreakerKey => $"{Options.Name}/{Options.Model}";

    public BackendOptions Options { get; }

    public IChatClient Client { get; }

    /// <summary>Its concurrency limit and priority queue; null for a chain built without one.</summary>
    public Gateway.BackendGate? Gate { get; }

    public ResiliencePipeline Pipeline { get; }

    public BackendHealth Health { get; } = new();

    public BackendStatus Status =>
        Health.Snapshot(
            Options.Name,
            Options.Kind,
            Options.BaseUrl,
            Options.Model,
            circuitOpen: _breaker.CircuitState is CircuitState.Open or CircuitState.Isolated
        );

    /// <summary>Marks an update with the backend and model that produced it, so the story log can record
    /// them.</summary>
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
