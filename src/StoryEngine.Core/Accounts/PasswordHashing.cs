using System.Security.Cryptography;

namespace StoryEngine.Core.Accounts;

/// <summary>
/// PBKDF2-HMAC-SHA256 with a per-password salt. The stored form names its own iteration count
/// (<c>pbkdf2-sha256$600000$salt$hash</c>), so raising the count later never breaks existing accounts.
/// 600,000 iterations follows OWASP's 2023 guidance for PBKDF2-SHA256.
/// </summary>
public sealed class PasswordHashing(int iterations = PasswordHashing.DefaultIterations)
{
    public const int DefaultIterations = 600_000;
    private const string Scheme = "pbkdf2-sha256";
    private const int SaltBytes = 16;
    private const int HashBytes = 32;

    public string Hash(string password)
    {
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var hash = Rfc2898DeriveBytes.Pbkdf2(password, salt, iterations, HashAlgorithmName.SHA256, HashBytes);
        return $"{Scheme}${iterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}";
    }

    public static bool Verify(string password, string stored)
    {
        var parts = stored.Split('$');
        if (parts.Length != 4 || parts[0] != Scheme || !int.TryParse(parts[1], out var count) || count < 1)
        {
            return false;
        }
        var salt = Convert.FromBase64String(parts[2]);
        var expected = Convert.FromBase64String(parts[3]);
        var actual = Rfc2898DeriveBytes.Pbkdf2(password, salt, count, HashAlgorithmName.SHA256, expected.Length);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }
}
