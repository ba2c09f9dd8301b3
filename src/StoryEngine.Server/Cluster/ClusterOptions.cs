using Microsoft.Extensions.Options;

namespace StoryEngine.Server.Cluster;

/// <summary>Settings under <c>Cluster</c>: how this node takes part when several share PostgreSQL
/// (docs/scaling.md).</summary>
public sealed class ClusterOptions
{
    public const string Section = "Cluster";

    /// <summary>This node's name in leases and logs; by default the host name, the process id and a random
    /// suffix, so a restarted node never mistakes its predecessor's leases for its own.</summary>
    public string? NodeId { get; set; }

    /// <summary>How long a narration lease lasts without a heartbeat: the time within which another node notices that
    /// a node died mid-narration (its turn becomes interrupted). Renewed three times per period.</summary>
    public int LeaseSeconds { get; set; } = 15;

    /// <summary><c>all</c> (the default), <c>web</c> (HTTP, no job workers) or <c>worker</c> (job workers; HTTP only
    /// for health and metrics). <c>storyengine serve --role</c> sets it.</summary>
    public string Role { get; set; } = Roles.All;
}

public static class Roles
{
    public const string All = "all";
    public const string Web = "web";
    public const string Worker = "worker";

    public static readonly string[] Known = [All, Web, Worker];
}

/// <summary>Settings under <c>Redis</c>: optional; when <see cref="Configuration"/> is set, the nodes' messages and
/// rate-limit counters go through Redis instead of PostgreSQL.</summary>
public sealed class RedisOptions
{
    public const string Section = "Redis";

    /// <summary>A StackExchange.Redis configuration string, e.g. <c>redis.internal:6379,password=…</c>.</summary>
    public string? Configuration { get; set; }

    /// <summary>Put before every key and channel, so deployments can share one Redis.</summary>
    public string Prefix { get; set; } = "storyengine:";
}

public sealed class ClusterOptionsValidator : IValidateOptions<ClusterOptions>
{
    public ValidateOptionsResult Validate(string? name, ClusterOptions options)
    {
        var failures = new List<string>();
        if (options.LeaseSeconds is < 2 or > 600)
        {
            failures.Add($"Cluster:LeaseSeconds must be between 2 and 600 (got {options.LeaseSeconds}).");
        }
        if (!Roles.Known.Contains(options.Role))
        {
            failures.Add($"Cluster:Role must be one of {string.Join(", ", Roles.Known)} (got '{options.Role}').");
        }
        if (options.NodeId is { } id && (id.Length is 0 or > 100 || id.Any(char.IsControl)))
        {
            failures.Add("Cluster:NodeId must be 1 to 100 printable characters.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
