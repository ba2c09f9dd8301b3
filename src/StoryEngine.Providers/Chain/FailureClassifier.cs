using System.ClientModel;
using System.Net;
using System.Net.Sockets;
using Anthropic.Exceptions;
using Polly.CircuitBreaker;
using StoryEngine.Providers.Errors;

namespace StoryEngine.Providers.Chain;

/// <summary>
/// Reads the libraries' exceptions (HttpRequestException, from OllamaSharp via OllamaErrorHandler;
/// ClientResultException;
/// Anthropic's AnthropicApiException/AnthropicIOException) the same way: an HTTP status, a refused
/// connection, or something else. Each SDK wraps transport errors differently, so the whole inner chain is read.
/// </summary>
internal static class FailureClassifier
{
    public static IEnumerable<Exception> Chain(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            yield return current;
            if (current is AggregateException { InnerExceptions.Count: > 1 } aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions.Skip(1).SelectMany(Chain))
                {
                    yield return inner;
                }
            }
        }
    }

    /// <summary>The HTTP status the server answered with, if it answered at all.</summary>
    public static int? StatusCode(Exception exception)
    {
        foreach (var e in Chain(exception))
        {
            switch (e)
            {
                case HttpRequestException { StatusCode: { } status }:
                    return (int)status;
                case ClientResultException { Status: > 0 } result:
                    return result.Status;
                case AnthropicApiException api when api.StatusCode != 0:
                    return (int)api.StatusCode;
            }
        }
        return null;
    }

    public static bool IsConnectionRefused(Exception exception) =>
        Chain(exception).Any(e => e is SocketException { SocketErrorCode: SocketError.ConnectionRefused });

    public static bool IsNameResolutionFailure(Exception exception) =>
        Chain(exception)
            .Any(e =>
                e
                    is HttpRequestException { HttpRequestError: HttpRequestError.NameResolutionError }
                        or SocketException
                        {
                            SocketErrorCode: SocketError.HostNotFound or SocketError.TryAgain or SocketError.NoData
                        }
            );

    /// <summary>A failure at the transport level: nothing (or nothing complete) came back from the server.</summary>
    public static bool IsTransportFailure(Exception exception) =>
        StatusCode(exception) is null
        && Chain(exception)
            .Any(e => e is HttpRequestException or SocketException or IOException or AnthropicIOException);

    /// <summary>Worth another try on the same backend: it may pass (overload, restart, network blip).
    /// A refusal that will repeat (bad key, unknown model, unreadable reply, open circuit) is not.</summary>
    public static bool IsRetryable(Exception exception)
    {
        if (exception is BrokenCircuitException or BackendProtocolException)
        {
            return false;
        }
        if (Chain(exception).Any(e => e is AnthropicSseException))
        {
            // Anthropic reports failures inside a 200 stream as an "error" event (overloaded_error, api_error);
            // request mistakes are refused with an HTTP status before the stream starts, so these are server-side.
            return true;
        }
        if (StatusCode(exception) is { } status)
        {
            return status is (int)HttpStatusCode.RequestTimeout or (int)HttpStatusCode.TooManyRequests or >= 500;
        }
        return Chain(exception).Any(e => e is TimeoutException) || IsTransportFailure(exception);
    }
}
