using System.Security.Cryptography;
using System.Text;

namespace StoryEngine.Core.ApiKeys;

/// <summary>
/// The shape of a key: <c>se_</c>, a 12-character public id, <c>_</c>, 43 characters of secret (32 random bytes,
/// base64url). The prefix makes keys recognisable to people and to secret scanners; the public id finds the row
/// without a search over hashes; the secret is what makes it unguessable.
/// </summary>
public static class ApiKeyFormat
{
    public const string Prefix = "se_";
    private const string PublicAlphabet = "abcdefghijkmnpqrstuvwxyz23456789";
    private const int PublicIdLength = 12;
    private const int SecretLength = 43;

    public static (string PublicId, string Key) New()
    {
        var publicId = RandomNumberGenerator.GetString(PublicAlphabet, PublicIdLength);
        var secret = Convert
            .ToBase64String(RandomNumberGenerator.GetBytes(32))
            .TrimEnd('=')
            .Replace('+', '-')
            .Replace('/', '_');
        return (publicId, $"{Prefix}{publicId}_{secret}");
    }

    /// <summary>True when <paramref name="token"/> has a key's shape (so the bearer handler knows it is not a
    /// JWT).</summary>
    public static bool LooksLikeKey(string token) => token.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>The public id of a well-formed key, or null.</summary>
    public static string? PublicIdOf(string key)
    {
        if (
            key.Length != Prefix.Length + PublicIdLength + 1 + SecretLength
            || !LooksLikeKey(key)
            || key[Prefix.Length + PublicIdLength] != '_'
        )
        {
            return null;
        }
        return key.Substring(Prefix.Length, PublicIdLength);
    }

    /// <summary>
    /// SHA-256, not a password hash: the secret is 256 random bits, so there is nothing to brute-force, and a slow hash
    /// would cost a PBKDF2 run on every request a script makes (docs/adr/0011-api-keys.md).
    /// </summary>
    public static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}
