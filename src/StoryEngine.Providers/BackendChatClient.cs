using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using StoryEngine.Providers.Configuration;
using StoryEngine.Providers.Errors;

namespace StoryEngine.Providers;

/// <summary>
/// What every library <see cref="IChatClient"/> leaves to us (docs/adr/0031-library-provider-adapters.md): only
/// plain system/user/assistant text goes out; an unreadable reply becomes a <see cref="BackendProtocolException"/>
/// (which the chain does not retry); a stream that ends without a finish reason is reported as incomplete instead
/// of passing for a short answer; and a cheap probe for /health.
/// </summary>
public abstract class BackendChatClient : DelegatingChatClient, IBackendProbe
{
    protected BackendChatClient(IChatClient inner, BackendOptions options)
        : base(inner)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
    }

    protected BackendOptions Options { get; }

    /// <summary>"Ollama at http://…", for messages.</summary>
    protected abstract string Where { get; }

    public abstract Task<string> ProbeAsync(CancellationToken cancellationToken);

    public override async Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options = null,
        CancellationToken cancellationToken = default
    )
    {
        var transcript = ChatTranscript.Checked(messages);
        try
        {
            return await base.GetResponseAsync(transcript, Prepare(options), cancellationToken);
        }
        catch (Exception ex) when (AsProtocolError(ex) is { } protocol)
        {
            throw protocol;
        }
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default
    )
    {
        var transcript = ChatTranscript.Checked(messages);
        var stream = base.GetStreamingResponseAsync(transcript, Prepare(options), cancellationToken);
        await using var updates = stream.GetAsyncEnumerator(cancellationToken);
        var finished = false;
        while (await MoveNextAsync(updates))
        {
            finished |= updates.Current.FinishReason is not null;
            yield return updates.Current;
        }
        if (!finished && !cancellationToken.IsCancellationRequested)
        {
            // A clean end of the body without the final message means a proxy or the server gave up mid-answer.
            throw new BackendProtocolException(
                $"{Where} ended the stream before its final message; the answer is incomplete."
            );
        }
        cancellationToken.ThrowIfCancellationRequested();
    }

    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is null && serviceType.IsInstanceOfType(this)
            ? this
            : base.GetService(serviceType, serviceKey);
    }

    /// <summary>Adds what the library cannot know from <see cref="ChatOptions"/> alone.</summary>
    protected virtual ChatOptions? Prepare(ChatOptions? options) => options;

    /// <summary>What went wrong when the exception is the library's way of saying the reply could not be read
    /// (or that the server reported an error inside a 200 stream); null for any other failure.</summary>
    protected virtual string? Unusable(Exception exception) =>
        exception is System.Text.Json.JsonException ? "sent a malformed response" : null;

    private BackendProtocolException? AsProtocolError(Exception exception) =>
        exception is BackendProtocolException known ? known
        : Unusable(exception) is { } what
            ? new BackendProtocolException($"{Where} {what}: {ChatTranscript.Truncate(exception.Message)}", exception)
        : null;

    private async ValueTask<bool> MoveNextAsync(IAsyncEnumerator<ChatResponseUpdate> updates)
    {
        try
        {
            return await updates.MoveNextAsync();
        }
        catch (Exception ex) when (AsProtocolError(ex) is { } protocol)
        {
            throw protocol;
        }
    }
}
