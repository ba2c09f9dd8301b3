using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace StoryEngine.Server.Http;

/// <summary>
/// The reverse proxies whose <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c> headers are believed
/// (<c>ForwardedHeaders:KnownProxies</c>, <c>ForwardedHeaders:KnownNetworks</c>). Empty by default: then the headers
/// are ignored, because anyone could send them to pick the address that lockouts, rate limits and the audit log see.
/// </summary>
public sealed class TrustedProxyOptions
{
    public const string Section = "ForwardedHeaders";

    /// <summary>Single proxy addresses, e.g. <c>10.0.0.5</c> or <c>::1</c>.</summary>
    public IList<string> KnownProxies { get; } = [];

    /// <summary>Proxy networks in CIDR form, e.g. <c>10.0.0.0/8</c>.</summary>
    public IList<string> KnownNetworks { get; } = [];

    /// <summary>How many proxies in a chain to walk back through; 1 unless proxies sit behind each other.</summary>
    public int ForwardLimit { get; set; } = 1;

    public bool Enabled => KnownProxies.Count > 0 || KnownNetworks.Count > 0;
}

public sealed class TrustedProxyOptionsValidator : IValidateOptions<TrustedProxyOptions>
{
    public ValidateOptionsResult Validate(string? name, TrustedProxyOptions options)
    {
        var failures = new List<string>();
        for (var i = 0; i < options.KnownProxies.Count; i++)
        {
            if (!IPAddress.TryParse(options.KnownProxies[i], out _))
            {
                failures.Add(
                    $"ForwardedHeaders:KnownProxies:{i} must be an IP address (got " + $"'{options.KnownProxies[i]}')."
                );
            }
        }
        for (var i = 0; i < options.KnownNetworks.Count; i++)
        {
            if (!System.Net.IPNetwork.TryParse(options.KnownNetworks[i], out _))
            {
                failures.Add(
                    $"ForwardedHeaders:KnownNetworks:{i} must be a network in CIDR form such as 10.0.0.0/8 "
                        + $"(got '{options.KnownNetworks[i]}')."
                );
            }
        }
        if (options.ForwardLimit < 1)
        {
            failures.Add($"ForwardedHeaders:ForwardLimit must be at least 1 (got {options.ForwardLimit}).");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

public static class TrustedProxies
{
    public static IServiceCollection AddTrustedProxies(this IServiceCollection services)
    {
        services.AddOptions<TrustedProxyOptions>().BindConfiguration(TrustedProxyOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<TrustedProxyOptions>, TrustedProxyOptionsValidator>();
        services
            .AddOptions<ForwardedHeadersOptions>()
            .Configure<IOptions<TrustedProxyOptions>>(
                (forwarded, trusted) =>
                {
                    forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
                    forwarded.ForwardLimit = trusted.Value.ForwardLimit;
                    // The framework trusts loopback by default; only what the operator names is trusted here.
                    forwarded.KnownProxies.Clear();
                    forwarded.KnownIPNetworks.Clear();
                    foreach (var proxy in trusted.Value.KnownProxies)
                    {
                        forwarded.KnownProxies.Add(IPAddress.Parse(proxy));
                    }
                    foreach (var network in trusted.Value.KnownNetworks)
                    {
                        forwarded.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
                    }
                }
            );
        return services;
    }

    /// <summary>Rewrites the client address and scheme from a trusted proxy's headers; does nothing when none is
    /// configured.</summary>
    public static IApplicationBuilder UseTrustedProxies(this WebApplication app) =>
        app.Services.GetRequiredService<IOptions<TrustedProxyOptions>>().Value.Enabled
            ? app.UseForwardedHeaders()
            : app;
}
