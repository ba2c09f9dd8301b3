using StoryEngine.Providers.Chain;

namespace StoryEngine.Server.Health;

public static class BackendProbing
{
    /// <summary>
    /// Probes every narrator backend, but never for longer than <paramref name="timeout"/>: a backend that hangs must
    /// not hang /health or `storyengine status`. On timeout the last known state is returned.
    /// </summary>
    public static async Task<IReadOnlyList<BackendStatus>> ProbeWithinAsync(
        this BackendChain chain,
        TimeSpan timeout,
        CancellationToken cancellationToken
    )
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            return await chain.ProbeAsync(deadline.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return chain.Status;
        }
    }
}
