namespace StoryEngine.Server.Gateway;

/// <summary>Settings under <c>Gateway</c>: the model gateway's identical-request cache (the per-backend limits are
/// <c>Backends:{name}:MaxConcurrency</c> and <c>MaxQueue</c>).</summary>
public sealed class GatewayOptions
{
    public const string Section = "Gateway";

    /// <summary>How long a deterministic utility call's answer is kept (0 turns the cache off).</summary>
    public int CacheMinutes { get; set; } = 60;
}
