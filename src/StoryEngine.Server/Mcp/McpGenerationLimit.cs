using System.Threading.RateLimiting;
using StoryEngine.Server.Hosting;

namespace StoryEngine.Server.Mcp;

/// <summary>
/// The generation rate limit for MCP's take_turn. The whole <c>/mcp</c> endpoint is under the API limit like any
/// route; a turn also needs a permit of the user's GenerationPerMinute, as POST …/turns does. The partition is the
/// API's (<see cref="ProtectionServiceCollectionExtensions.GenerationPartition"/>) but the counter is this limiter's
/// own, so MCP turns and REST turns are counted apart.
/// </summary>
public sealed class McpGenerationLimit(IHttpContextAccessor http) : IDisposable
{
    /// <summary>The <c>policy</c> tag of a refusal in storyengine_rate_limit_rejections_total.</summary>
    public const string PolicyName = "mcp_generation";

    private readonly PartitionedRateLimiter<HttpContext> _limiter = PartitionedRateLimiter.Create<HttpContext, string>(
        ProtectionServiceCollectionExtensions.GenerationPartition
    );

    public async ValueTask<bool> TryAcquireAsync(CancellationToken cancellationToken)
    {
        if (http.HttpContext is not { } context)
        {
            return true; // not over HTTP (stdio is one local user)
        }
        using var lease = await _limiter.AcquireAsync(context, 1, cancellationToken);
        if (!lease.IsAcquired)
        {
            Core.Telemetry.StoryMetrics.RateLimitRejections.Add(
                1,
                new KeyValuePair<string, object?>(Core.Telemetry.StoryMetrics.PolicyTag, PolicyName)
            );
        }
        return lease.IsAcquired;
    }

    public void Dispose() => _limiter.Dispose();
}
