using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StoryEngine.Providers.Configuration;
using StoryEngine.Providers.Errors;

namespace StoryEngine.Providers.Chain;

/// <summary>
/// The narrator's model: an ordered list of backends behind one <see cref="IChatClient"/>.
/// <list type="bullet">
/// <item>Each call waits for the first token under Narrator:FirstTokenTimeoutSeconds, then for each next one under
/// Narrator:IdleTimeoutSeconds.</item>
/// <item>Before the first token reaches the caller, retryable failures (refused connection, HTTP 5xx/429,
/// timeouts) are retried with exponential backoff, and a backend that still fails (or whose circuit is open)
/// gives way to the next one in the list.</item>
/// <item>After the first token, a failure is thrown as <see cref="BackendStreamInterruptedException"/>: the
/// caller has shown those tokens, so it keeps the partial text and nothing is silently re-generated.</item>
/// <item>When no backend answers: <see cref="BackendUnavailableException"/>, with a plain message for the player and
/// the operator's detail (what to start or configure) logged and kept in its Detail.</item>
/// </list>
/// Every update carries the answering backend's name in AdditionalProperties["backend"] and its model in ModelId.
/// </summary>
public sealed class BackendChain : IChatClient
{
    /// <summary>The key in ChatResponseUpdate/ChatResponse.AdditionalProperties that names the backend that
    /// answered.</summary>
    public const string BackendPropertyKey = "backend";

    private readonly IReadOnlyList<ChainedBackend> _backends;
    private readonly NarratorOptions _options;
    private readonly StreamTimeouts _timeouts;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;

    /// <param name="members">The backends in fallback order.</param>
    /// <param name="options">Timeouts, retries and circuit-breaker settings (the Backends lists in it are not read
    /// here).</param>
    public BackendChain(
        IEnumerable<ChainMember> members,
        NarratorOptions options,
        ILogger<BackendChain>? logger = null,
        TimeProvider? timeProvider = null
    )
    {
        ArgumentNullException.ThrowIfNull(members);
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _time = timeProvider ?? TimeProvider.System;
        _timeouts = new StreamTimeouts(
            TimeSpan.FromSeconds(options.FirstTokenTimeoutSeconds),
            TimeSpan.FromSeconds(options.IdleTimeoutSeconds),
            null
        );
        _backends = members.Select(m => new ChainedBackend(m, options, _logger, _time)).ToList();
    }

    /// <summary>One entry per backend, in chain order.</summary>
    public IReadOnlyList<BackendStatus> Status => _backends.Select(b => b.Status).ToList();

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default
    )
    {
        var transcript = ChatTranscript.Checked(messages);
        var failures = new List<BackendFailure>();
        var priority = Gateway.ModelPriorities.Of(options);
        foreach (var backend in _backends)
        {
            var (admitted, ticket) = await EnterAsync(backend, priority, failures, cancellationToken);
            if (!admitted)
            {
                continue;
            }
            try
            {
                var stream = await TryOpenAsync(backend, transcript, options, failures, cancellationToken);
                if (stream is null)
                {
                    continue;
                }
                var first = true;
                await using (stream)
                {
                    foreach (var update in stream.Prelude)
                    {
                        yield return Queued(backend.Annotate(update), ticket, ref first);
                    }
                    while (await ReadAfterFirstTokenAsync(backend, stream, cancellationToken) is { } update)
                    {
                        yield return Queued(backend.Annotate(update), ticket, ref first);
                    }
                }
                yield break;
            }
            finally
            {
                ticket?.Dispose();
            }
        }
        throw Unavailable(failures);
    }

    /// <summary>
    /// The same chain for a whole answer at once. Because nothing reaches the caller until the answer is
    /// complete, here even a stream that breaks half-way is retried or handed to the next backend.
    /// </summary>
    public async Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options = null,
        CancellationToken cancellationToken = default
    )
    {
        var transcript = ChatTranscript.Checked(messages);
        var perBackend = WithoutModelId(options);
        var failures = new List<BackendFailure>();
        var priority = Gateway.ModelPriorities.Of(options);
        foreach (var backend in _backends)
        {
            var (admitted, ticket) = await EnterAsync(backend, priority, failures, cancellationToken);
            if (!admitted)
            {
                continue;
            }
            try
            {
                var (response, latency) = await backend.Pipeline.ExecuteAsync(
                    async token =>
                    {
                        await using var stream = await GuardedStream.OpenAsync(
                            backend.Client,
                            transcript,
                            perBackend,
                            TimeoutsFor(backend),
                            _time,
                            token
                        );
                        var updates = new List<ChatResponseUpdate>(stream.Prelude);
                        while (await stream.NextAsync() is { } update)
                        {
                            updates.Add(update);
                        }
                        return (updates.ToChatResponse(), stream.TimeToFirstToken);
                    },
                    cancellationToken
                );
                RecordAnswer(backend, latency);
                var annotated = backend.Annotate(response);
                if (ticket is not null)
                {
                    annotated.AdditionalProperties ??= [];
                    annotated.AdditionalProperties[Gateway.ModelPriorities.QueueMillisecondsKey] = ticket
                        .Waited
                        .TotalMilliseconds;
                }
                return annotated;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception ex)
            {
                RecordFallback(backend, ex, failures);
            }
            finally
            {
                ticket?.Dispose();
            }
        }
        throw Unavailable(failures);
    }

    /// <summary>
    /// Asks every backend a cheap question that spends no tokens (Ollama: /api/version and /api/tags;
    /// OpenAI-compatible: GET /models; Anthropic: GET /v1/models/{model}) and records the answers in <see
    /// cref="Status"/>.
    /// </summary>
    public async Task<IReadOnlyList<BackendStatus>> ProbeAsync(CancellationToken cancellationToken = default)
    {
        await Task.WhenAll(_backends.Select(b => ProbeOneAsync(b, cancellationToken)));
        return Status;
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;
    }

    public void Dispose()
    {
        // The member clients belong to whoever built them (BackendFactory); the chain only borrows them.
    }

    /// <summary>True when every backend of the chain would refuse a call of <paramref name="priority"/> now (their
    /// queues are full).</summary>
    public bool IsFull(Gateway.ModelPriority priority) =>
        _backends.Count > 0 && _backends.All(b => b.Gate?.IsFull(priority) == true);

    /// <summary>The gates of this chain's backends, in chain order (those that have one).</summary>
    public IReadOnlyList<Gateway.BackendGate> Gates =>
        _backends.Select(b => b.Gate).OfType<Gateway.BackendGate>().ToList();

    // Through the backend's gate: admitted (holding a ticket to give back when the call ends), or refused because its
    // queue is full, which the chain treats as a reason to try the next backend (no retry, no mark on the breaker).
    private async Task<(bool Admitted, Gateway.BackendGate.Ticket? Ticket)> EnterAsync(
        ChainedBackend backend,
        Gateway.ModelPriority priority,
        List<BackendFailure> failures,
        CancellationToken cancellationToken
    )
    {
        if (backend.Gate is not { } gate)
        {
            return (true, null);
        }
        if (await gate.EnterAsync(priority, cancellationToken) is { } ticket)
        {
            return (true, ticket);
        }
        var busy = new BackendBusyException(backend.Options.Name);
        failures.Add(
            new BackendFailure(
                backend.Options.Name,
                backend.Options.Kind,
                backend.Options.BaseUrl,
                backend.Options.Model,
                "is busy: every slot is taken and its queue is full",
                $"Raise Backends:{backend.Options.Name}:MaxConcurrency or MaxQueue, or add a backend to the chain.",
                busy
            )
        );
        _logger.FallingBack(backend.Options.Name, busy.Message);
        return (false, null);
    }

    // The first update says how long the call waited at the gate.
    private static ChatResponseUpdate Queued(
        ChatResponseUpdate update,
        Gateway.BackendGate.Ticket? ticket,
        ref bool first
    )
    {
        if (first && ticket is not null)
        {
            update.AdditionalProperties ??= [];
            update.AdditionalProperties[Gateway.ModelPriorities.QueueMillisecondsKey] = ticket.Waited.TotalMilliseconds;
        }
        first = false;
        return update;
    }

    private async Task<GuardedStream?> TryOpenAsync(
        ChainedBackend backend,
        IReadOnlyList<ChatMessage> transcript,
        ChatOptions? options,
        List<BackendFailure> failures,
        CancellationToken cancellationToken
    )
    {
        var perBackend = WithoutModelId(options);
        try
        {
            var stream = await backend.Pipeline.ExecuteAsync(
                async token =>
                    await GuardedStream.OpenAsync(
                        backend.Client,
                        transcript,
                        perBackend,
                        TimeoutsFor(backend),
                        _time,
                        token
                    ),
                cancellationToken
            );
            RecordAnswer(backend, stream.TimeToFirstToken);
            return stream;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            RecordFallback(backend, ex, failures);
            return null;
        }
    }

    private async Task<ChatResponseUpdate?> ReadAfterFirstTokenAsync(
        ChainedBackend backend,
        GuardedStream stream,
        CancellationToken cancellationToken
    )
    {
        try
        {
            return await stream.NextAsync();
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            var failure = FailureDescriber.Describe(ex, backend.Options, _options, backend.Health.LastError);
            backend.Health.RecordFailure($"{failure.Reason}. {failure.Hint}", _time.GetUtcNow());
            _logger.StreamInterrupted(backend.Options.Name, failure.Reason);
            throw new BackendStreamInterruptedException(backend.Options.Name, backend.Options.Model, ex);
        }
    }

    private async Task ProbeOneAsync(ChainedBackend backend, CancellationToken cancellationToken)
    {
        if (backend.Client.GetService(typeof(IBackendProbe)) is not IBackendProbe probe)
        {
            return; // Nothing cheap to ask; the state stays as the last real call left it.
        }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_timeouts.FirstToken);
        try
        {
            var detail = await probe.ProbeAsync(timeout.Token);
            backend.Health.RecordProbeSuccess(detail, _time.GetUtcNow());
            _logger.Probed(backend.Options.Name, BackendState.Up, detail);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            var error = timeout.IsCancellationRequested
                ? new BackendTimeoutException(
                    "did not answer a health probe within " + $"{_options.FirstTokenTimeoutSeconds} s",
                    ex
                )
                : ex;
            var failure = FailureDescriber.Describe(error, backend.Options, _options, backend.Health.LastError);
            backend.Health.RecordFailure($"{failure.Reason}. {failure.Hint}", _time.GetUtcNow());
            _logger.Probed(backend.Options.Name, BackendState.Down, failure.Reason);
        }
    }

    private void RecordAnswer(ChainedBackend backend, TimeSpan timeToFirstToken)
    {
        backend.Health.RecordSuccess(timeToFirstToken, _time.GetUtcNow());
        _logger.Answered(backend.Options.Name, backend.Options.Model, (long)timeToFirstToken.TotalMilliseconds);
    }

    private void RecordFallback(ChainedBackend backend, Exception ex, List<BackendFailure> failures)
    {
        var failure = FailureDescriber.Describe(ex, backend.Options, _options, backend.Health.LastError);
        if (ex is not Polly.CircuitBreaker.BrokenCircuitException)
        {
            // An open circuit is not news about the backend; keep the error that opened it.
            backend.Health.RecordFailure($"{failure.Reason}. {failure.Hint}", _time.GetUtcNow());
        }
        failures.Add(failure);
        _logger.FallingBack(backend.Options.Name, failure.Reason);
    }

    private BackendUnavailableException Unavailable(List<BackendFailure> failures)
    {
        var exception = new BackendUnavailableException(failures);
        // The exception's message is the player's; what the operator needs goes to the log.
        _logger.AllBackendsFailed(exception.Detail);
        return exception;
    }

    private StreamTimeouts TimeoutsFor(ChainedBackend backend) =>
        backend.Options.TimeoutSeconds is { } seconds
            ? _timeouts with
            {
                Total = TimeSpan.FromSeconds(seconds),
            }
            : _timeouts;

    /// <summary>Each backend runs its own configured model; a model id from the caller would mean nothing to the
    /// others.</summary>
    private static ChatOptions? WithoutModelId(ChatOptions? options)
    {
        var gateway = options?.AdditionalProperties?.ContainsKey(Gateway.ModelPriorities.OptionKey) == true;
        if (options is null || (options.ModelId is null && !gateway))
        {
            return options;
        }
        var copy = options.Clone();
        copy.ModelId = null;
        // The priority is the gateway's business; no backend is sent it.
        copy.AdditionalProperties?.Remove(Gateway.ModelPriorities.OptionKey);
        return copy;
    }
}
