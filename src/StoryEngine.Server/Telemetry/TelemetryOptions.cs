using Microsoft.Extensions.Options;

namespace StoryEngine.Server.Telemetry;

/// <summary>Settings under <c>Telemetry:Metrics</c>: the Prometheus scrape endpoint (docs/telemetry.md).</summary>
public sealed class MetricsOptions
{
    public const string Section = "Telemetry:Metrics";

    /// <summary>Serve the scrape endpoint at all (on by default).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Where it is served, on the server's own address and port.</summary>
    public string Path { get; set; } = "/metrics";

    /// <summary>When set, a scrape must send <c>Authorization: Bearer {Token}</c>.</summary>
    public string? Token { get; set; }

    /// <summary>When true, only scrapes from a loopback address are answered (after the trusted proxies).</summary>
    public bool LoopbackOnly { get; set; }
}

public sealed class MetricsOptionsValidator : IValidateOptions<MetricsOptions>
{
    public ValidateOptionsResult Validate(string? name, MetricsOptions options)
    {
        var failures = new List<string>();
        var path = options.Path;
        if (!path.StartsWith('/') || path.Length < 2 || path.Contains('?', StringComparison.Ordinal))
        {
            failures.Add($"Telemetry:Metrics:Path must be a path such as /metrics (got '{options.Path}').");
        }
        else if (options.Path.StartsWith("/api/", StringComparison.OrdinalIgnoreCase))
        {
            failures.Add("Telemetry:Metrics:Path must not be under /api/, where API keys and rate limits apply.");
        }
        if (options.Token is { Length: > 0 and < 16 })
        {
            failures.Add("Telemetry:Metrics:Token must be at least 16 characters when set.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
