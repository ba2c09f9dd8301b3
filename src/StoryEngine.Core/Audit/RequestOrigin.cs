namespace StoryEngine.Core.Audit;

/// <summary>Where a request came from, as far as the server can tell: recorded with sessions and audit
/// entries.</summary>
public sealed record RequestOrigin(string? Ip, string? UserAgent)
{
    /// <summary>The operator at the server's console (the <c>storyengine</c> CLI).</summary>
    public static readonly RequestOrigin Console = new(null, "storyengine-cli");

    private const int MaxUserAgent = 512;

    /// <summary>Clamps what the client controls, so a huge header cannot bloat the audit log.</summary>
    public static RequestOrigin From(string? ip, string? userAgent) =>
        new(
            ip,
            string.IsNullOrEmpty(userAgent) ? null
                : userAgent.Length > MaxUserAgent ? userAgent[..MaxUserAgent]
                : userAgent
        );
}
