namespace StoryEngine.Server.Gateway;

/// <summary>Settings under <c>Gateway</c>: the model gateway's identical-request cache (the per-backend limits are
/// <c>Backends:{name}:MaxConcurrency</c> and <c>MaxQueue</c>).</summary>
public sealed class GatewayOptions
{
    public const string Section = "Gateway";

    /// <summary>How long a deterministic utility call's answer is kept; 0 (the default) turns the cache off. Off by
    /// default because a caller that refuses an answer and asks the same question again (world-state extraction asks
    /// once more after an invalid answer) would be given the same answer from the cache.</summary>
    public int CacheMinutes { get; set; }
}
