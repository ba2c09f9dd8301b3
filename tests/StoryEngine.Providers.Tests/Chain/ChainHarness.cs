using Microsoft.Extensions.AI;
using StoryEngine.Providers.Chain;
using StoryEngine.Providers.Configuration;
using StoryEngine.Providers.Tests.Fakes;

namespace StoryEngine.Providers.Tests.Chain;

/// <summary>Builds chains over fake backends with test-sized timeouts (1 s) and near-zero backoff.</summary>
internal static class ChainHarness
{
    public static NarratorOptions Narrator(int maxRetries = 2, int breakerThroughput = 100) => new()
    {
        FirstTokenTimeoutSeconds = 1,
        IdleTimeoutSeconds = 1,
        MaxRetries = maxRetries,
        RetryBaseDelayMilliseconds = 5,
        CircuitBreakerMinimumThroughput = breakerThroughput,
        CircuitBreakerBreakSeconds = 60,
    };

    public static BackendChain Over(NarratorOptions narrator, params BackendOptions[] backends) =>
        new(backends.Select(b => new ChainMember(b, Clients.For(b))), narrator);

    public static BackendOptions Refusing(string kind = "ollama", string? name = null) => new()
    {
        Name = name ?? kind,
        Kind = kind,
        BaseUrl = Dialect.For(kind).BaseUrl(FakeBackend.ClosedOrigin()),
        Model = Scenarios.Model,
        ApiKey = kind == "anthropic" ? "sk-ant-test" : null,
    };

    public static string? BackendOf(ChatResponseUpdate update) =>
        update.AdditionalProperties?.TryGetValue(BackendChain.BackendPropertyKey, out var name) == true ? name as string : null;
}
