using Microsoft.Extensions.AI;
using StoryEngine.Providers.Chain;
using StoryEngine.Providers.Configuration;
using StoryEngine.Providers.Tests.Fakes;

namespace StoryEngine.Providers.Tests.Chain;

/// <summary>Builds chains over fake backends with near-zero backoff.</summary>
internal static class ChainHarness
{
    /// <param name="timeoutSeconds">Both stream timeouts. Tests about timeouts pass 1 s; the rest keep a
    /// generous 10 s so a cold JIT on a busy CI machine is never mistaken for a stalled backend.</param>
    public static NarratorOptions Narrator(
        int maxRetries = 2,
        int breakerThroughput = 100,
        double timeoutSeconds = 10
    ) =>
        new()
        {
            FirstTokenTimeoutSeconds = timeoutSeconds,
            IdleTimeoutSeconds = timeoutSeconds,
            MaxRetries = maxRetries,
            RetryBaseDelayMilliseconds = 5,
            CircuitBreakerMinimumThroughput = breakerThroughput,
            CircuitBreakerBreakSeconds = 60,
        };

    public static BackendChain Over(NarratorOptions narrator, params BackendOptions[] backends) =>
        new(backends.Select(b => new ChainMember(b, Clients.For(b))), narrator);

    public static BackendOptions Refusing(string kind = "ollama", string? name = null) =>
        new()
        {
            Name = name ?? kind,
            Kind = kind,
            BaseUrl = Dialect.For(kind).BaseUrl(FakeBackend.ClosedOrigin()),
            Model = Scenarios.Model,
            ApiKey = kind == "anthropic" ? "sk-ant-test" : null,
        };

    public static string? BackendOf(ChatResponseUpdate update) =>
        update.AdditionalProperties?.TryGetValue(BackendChain.BackendPropertyKey, out var name) == true
            ? name as string
            : null;
}
