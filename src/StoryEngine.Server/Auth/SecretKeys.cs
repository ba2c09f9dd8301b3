using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using StoryEngine.Core.Secrets;
using StoryEngine.Server.Hosting;

namespace StoryEngine.Server.Auth;

/// <summary>Settings under <c>Secrets</c>.</summary>
public sealed class SecretsOptions
{
    public const string Section = "Secrets";

    /// <summary>
    /// Base64 of 32 bytes: the AES-256-GCM key for secrets at rest. When empty, <c>{DataDir}/keys/secrets.key</c> is
    /// created on first start, readable by the owner only. Set it when several nodes share one PostgreSQL.
    /// </summary>
    public string? Key { get; set; }
}

public sealed class SecretsOptionsValidator : IValidateOptions<SecretsOptions>
{
    public ValidateOptionsResult Validate(string? name, SecretsOptions options)
    {
        if (string.IsNullOrEmpty(options.Key))
        {
            return ValidateOptionsResult.Success;
        }
        var bytes = new byte[options.Key.Length];
        return Convert.TryFromBase64String(options.Key, bytes, out var length) && length == 32
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail(
                "Secrets:Key must be base64 of exactly 32 bytes (try: openssl rand -base64 " + "32)."
            );
    }
}

/// <summary>
/// Makes the <see cref="SecretBox"/> from <c>Secrets:Key</c>, or else from <c>{DataDir}/keys/secrets.key</c>, created
/// on first start with owner-only permissions — the same pattern as <see cref="SigningKeys"/>. Losing the file loses
/// every TOTP secret and encrypted configuration value (docs/security.md says to back it up apart from the database).
/// </summary>
public static class SecretKeys
{
    public static SecretBox Create(SecretsOptions secrets, StoryEngineOptions options)
    {
        if (!string.IsNullOrEmpty(secrets.Key))
        {
            return new SecretBox(Convert.FromBase64String(secrets.Key));
        }
        var path = Path.Combine(options.DataDir, "keys", "secrets.key");
        if (!File.Exists(path))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            try
            {
                var create = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
                if (!OperatingSystem.IsWindows())
                {
                    create.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
                }
                using var stream = new FileStream(path, create);
                stream.Write(RandomNumberGenerator.GetBytes(32));
            }
            catch (IOException) when (File.Exists(path))
            {
                // Another process created it first; use theirs.
            }
        }
        var key = File.ReadAllBytes(path);
        return key.Length == 32
            ? new SecretBox(key)
            : throw new InvalidOperationException(
                $"{path} must hold exactly 32 bytes (it holds {key.Length}); " + "restore it from a backup."
            );
    }
}
