using Microsoft.Extensions.Options;
using StoryEngine.Core.Accounts;

namespace StoryEngine.Server.Auth;

/// <summary>Settings under <c>Auth</c>.</summary>
public sealed class AuthOptions
{
    public const string Section = "Auth";

    /// <summary>
    /// Base64 key (at least 32 bytes) that signs access tokens. When empty, a key file is created in the
    /// data folder on first start; set it explicitly when several nodes share one PostgreSQL.
    /// </summary>
    public string? SigningKey { get; set; }

    /// <summary>Lifetime of an access token; clients renew with their refresh token.</summary>
    public int AccessTokenMinutes { get; set; } = 15;

    /// <summary>PBKDF2 iterations for new password hashes; existing hashes keep the count they were made
    /// with.</summary>
    public int PasswordIterations { get; set; } = PasswordHashing.DefaultIterations;

    /// <summary>
    /// How long a session's state (revoked? user disabled? admin?) is remembered between database checks. Changes made
    /// by this process apply at once; those made by another node or the CLI within this many seconds. 0 checks every
    /// request.
    /// </summary>
    public int SessionCheckSeconds { get; set; } = 5;
}

public sealed class AuthOptionsValidator : IValidateOptions<AuthOptions>
{
    public ValidateOptionsResult Validate(string? name, AuthOptions options)
    {
        var failures = new List<string>();
        if (options.AccessTokenMinutes is < 1 or > 1440)
        {
            failures.Add($"Auth:AccessTokenMinutes must be between 1 and 1440 (got {options.AccessTokenMinutes}).");
        }
        if (options.PasswordIterations is < 1_000 or > 10_000_000)
        {
            failures.Add(
                "Auth:PasswordIterations must be between 1000 and 10000000 (got " + $"{options.PasswordIterations})."
            );
        }
        if (options.SessionCheckSeconds is < 0 or > 300)
        {
            failures.Add($"Auth:SessionCheckSeconds must be between 0 and 300 (got {options.SessionCheckSeconds}).");
        }
        if (!string.IsNullOrEmpty(options.SigningKey))
        {
            var bytes = new byte[options.SigningKey.Length];
            if (!Convert.TryFromBase64String(options.SigningKey, bytes, out var length) || length < 32)
            {
                failures.Add("Auth:SigningKey must be base64 of at least 32 bytes (try: openssl rand -base64 48).");
            }
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
