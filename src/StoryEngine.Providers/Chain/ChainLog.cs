using Microsoft.Extensions.Logging;

namespace StoryEngine.Providers.Chain;

/// <summary>The chain's log events. Backend names, URLs and error messages only: never API keys or prompts.</summary>
internal static partial class ChainLog
{
    [LoggerMessage(
        EventId = ProviderLogEvents.Chain.Retrying,
        Level = LogLevel.Warning,
        Message = "Backend {Backend} ({Kind} at {BaseUrl}) failed before its first token; retry {Attempt} in "
            + "{DelayMs} ms: {Error}"
    )]
    public static partial void Retrying(
        this ILogger logger,
        string backend,
        string kind,
        string baseUrl,
        int attempt,
        long delayMs,
        string error
    );

    [LoggerMessage(
        EventId = ProviderLogEvents.Chain.FallingBack,
        Level = LogLevel.Warning,
        Message = "Backend {Backend} did not answer ({Reason}); falling back to the next backend"
    )]
    public static partial void FallingBack(this ILogger logger, string backend, string reason);

    [LoggerMessage(
        EventId = ProviderLogEvents.Chain.CircuitOpened,
        Level = LogLevel.Error,
        Message = "Circuit for backend/model {Breaker} opened for {BreakSeconds} s: too many turns failed"
    )]
    public static partial void CircuitOpened(this ILogger logger, string breaker, double breakSeconds);

    [LoggerMessage(
        EventId = ProviderLogEvents.Chain.CircuitHalfOpened,
        Level = LogLevel.Information,
        Message = "Circuit for backend/model {Breaker} is half-open; letting one trial turn through"
    )]
    public static partial void CircuitHalfOpened(this ILogger logger, string breaker);

    [LoggerMessage(
        EventId = ProviderLogEvents.Chain.CircuitClosed,
        Level = LogLevel.Information,
        Message = "Circuit for backend/model {Breaker} closed; it answers again"
    )]
    public static partial void CircuitClosed(this ILogger logger, string breaker);

    [LoggerMessage(
        EventId = ProviderLogEvents.Chain.Answered,
        Level = LogLevel.Debug,
        Message = "Backend {Backend} answered with model {Model}; first token after {LatencyMs} ms"
    )]
    public static partial void Answered(this ILogger logger, string backend, string model, long latencyMs);

    [LoggerMessage(
        EventId = ProviderLogEvents.Chain.StreamInterrupted,
        Level = LogLevel.Warning,
        Message = "Backend {Backend} failed after streaming had begun; the caller keeps the partial text: {Error}"
    )]
    public static partial void StreamInterrupted(this ILogger logger, string backend, string error);

    [LoggerMessage(
        EventId = ProviderLogEvents.Chain.AllBackendsFailed,
        Level = LogLevel.Error,
        Message = "No model backend answered: {Summary}"
    )]
    public static partial void AllBackendsFailed(this ILogger logger, string summary);

    [LoggerMessage(
        EventId = ProviderLogEvents.Chain.Probed,
        Level = LogLevel.Information,
        Message = "Probe of backend {Backend}: {State} ({Detail})"
    )]
    public static partial void Probed(this ILogger logger, string backend, BackendState state, string detail);
}
