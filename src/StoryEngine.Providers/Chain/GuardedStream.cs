using System.Globalization;
using Microsoft.Extensions.AI;
using StoryEngine.Providers.Errors;

namespace StoryEngine.Providers.Chain;

/// <summary>
/// One streamed call to one backend under a watchdog: first the first-token timeout, then, once tokens flow,
/// the idle timeout, re-armed on every update. <see cref="OpenAsync"/> returns only after the first token (or
/// the end of an empty answer), so everything up to that point can be retried or handed to another backend
/// while the caller has seen nothing.
/// </summary>
internal sealed class GuardedStream : IAsyncDisposable
{
    private readonly CancellationTokenSource _watchdog;
    private readonly CancellationTokenSource? _deadline;
    private readonly CancellationTokenSource _linked;
    private readonly CancellationToken _callerToken;
    private readonly StreamTimeouts _timeouts;
    private IAsyncEnumerator<ChatResponseUpdate>? _inner;
    private Task<bool>? _pending;
    private bool _gotToken;
    private bool _completed;
    private bool _disposed;

    private GuardedStream(StreamTimeouts timeouts, TimeProvider time, CancellationToken callerToken)
    {
        _timeouts = timeouts;
        _callerToken = callerToken;
        _watchdog = new CancellationTokenSource(timeouts.FirstToken, time);
        _deadline = timeouts.Total is { } total ? new CancellationTokenSource(total, time) : null;
        _linked = _deadline is null
            ? CancellationTokenSource.CreateLinkedTokenSource(callerToken, _watchdog.Token)
            : CancellationTokenSource.CreateLinkedTokenSource(callerToken, _watchdog.Token, _deadline.Token);
    }

    /// <summary>Updates received up to and including the first token, in order.</summary>
    public IReadOnlyList<ChatResponseUpdate> Prelude { get; private set; } = [];

    public TimeSpan TimeToFirstToken { get; private set; }

    public static async Task<GuardedStream> OpenAsync(
        IChatClient client,
        IReadOnlyList<ChatMessage> messages,
        ChatOptions? options,
        StreamTimeouts timeouts,
        TimeProvider time,
        CancellationToken callerToken
    )
    {
        var stream = new GuardedStream(timeouts, time, callerToken);
        try
        {
            var started = time.GetTimestamp();
            stream._inner = client
                .GetStreamingResponseAsync(messages, options, stream._linked.Token)
                .GetAsyncEnumerator(stream._linked.Token);
            var prelude = new List<ChatResponseUpdate>();
            while (await stream.NextAsync() is { } update)
            {
                prelude.Add(update);
                if (stream._gotToken)
                {
                    break;
                }
            }
            stream.TimeToFirstToken = time.GetElapsedTime(started);
            stream.Prelude = prelude;
            return stream;
        }
        catch
        {
            await stream.DisposeAsync();
            throw;
        }
    }

    /// <summary>The next update, or null at the end of the answer.</summary>
    /// <exception cref="BackendTimeoutException">The backend went quiet for longer than allowed.</exception>
    public async Task<ChatResponseUpdate?> NextAsync()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_completed || _inner is null)
        {
            return null;
        }
        if (_gotToken)
        {
            // The idle clock runs only while we wait on the backend, never while the caller is busy with
            // the previous update (writing it to a slow client must not count as the backend stalling).
            _watchdog.CancelAfter(_timeouts.Idle);
        }
        var move = _inner.MoveNextAsync().AsTask();
        _pending = move;
        bool hasNext;
        try
        {
            // WaitAsync as well as the token: a client that ignores cancellation must not hang the turn.
            hasNext = await move.WaitAsync(_linked.Token);
        }
        catch (Exception ex) when (_callerToken.IsCancellationRequested)
        {
            throw ex as OperationCanceledException
                ?? new OperationCanceledException("The caller cancelled the request.", ex, _callerToken);
        }
        catch (Exception ex) when (_watchdog.IsCancellationRequested)
        {
            throw _gotToken
                ? new BackendTimeoutException(
                    $"went quiet for {Seconds(_timeouts.Idle)} s mid-answer " + "(Narrator:IdleTimeoutSeconds)",
                    ex
                )
                : new BackendTimeoutException(
                    $"sent no token within {Seconds(_timeouts.FirstToken)} s " + "(Narrator:FirstTokenTimeoutSeconds)",
                    ex
                );
        }
        catch (Exception ex) when (_deadline?.IsCancellationRequested == true)
        {
            throw new BackendTimeoutException(
                $"did not finish within {Seconds(_timeouts.Total!.Value)} s (its " + "TimeoutSeconds)",
                ex
            );
        }
        _pending = null;
        if (!hasNext)
        {
            _completed = true;
            return null;
        }
        var update = _inner.Current;
        _gotToken |= ChatTranscript.HasToken(update);
        if (_gotToken)
        {
            _watchdog.CancelAfter(Timeout.InfiniteTimeSpan);
        }
        return update;
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        if (!_completed)
        {
            // Abandoned early (error, timeout, or the caller stopped reading): stop the HTTP request too.
            await _linked.CancelAsync();
        }
        if (_pending is { IsCompleted: false } pending)
        {
            // An async iterator cannot be disposed while a MoveNextAsync is running; finish that first.
            _ = DisposeAfterAsync(pending);
        }
        else
        {
            await DisposeInnerAsync();
        }
    }

    private async Task DisposeAfterAsync(Task pending)
    {
        try
        {
            await pending;
        }
        catch (Exception)
        {
            // Observed so it is not reported as unobserved; the caller already got the timeout or cancellation.
        }
        await DisposeInnerAsync();
    }

    private async Task DisposeInnerAsync()
    {
        try
        {
            if (_inner is not null)
            {
                await _inner.DisposeAsync();
            }
        }
        catch (Exception)
        {
            // Disposing a failed stream can rethrow its failure, which the caller has already been given.
        }
        _linked.Dispose();
        _watchdog.Dispose();
        _deadline?.Dispose();
    }

    private static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
}
