using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;

namespace StoryEngine.Core.TwoFactor;

/// <summary>
/// Time-based one-time passwords, RFC 6238 over HOTP (RFC 4226), written out by hand because no package for it
/// restores here. The defaults are what authenticator apps assume: HMAC-SHA1, 30-second steps, 6 digits.
/// </summary>
public static class Totp
{
    public const int StepSeconds = 30;
    public const int Digits = 6;

    /// <summary>The time step of an instant: whole 30-second periods since the Unix epoch (T in RFC 6238
    /// §4.2).</summary>
    public static long StepAt(DateTimeOffset time) => Math.DivRem(time.ToUnixTimeSeconds(), StepSeconds).Quotient;

    /// <summary>The code for one step (RFC 4226 §5.3: HMAC, dynamic truncation, modulo 10^digits).</summary>
    public static string Code(
        ReadOnlySpan<byte> secret,
        long step,
        int digits = Digits,
        HashAlgorithmName? algorithm = null
    )
    {
        Span<byte> counter = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(counter, step);
        var name = algorithm ?? HashAlgorithmName.SHA1;
        byte[] hash =
            name == HashAlgorithmName.SHA256 ? HMACSHA256.HashData(secret, counter)
            : name == HashAlgorithmName.SHA512 ? HMACSHA512.HashData(secret, counter)
            : HMACSHA1.HashData(secret, counter);
        var offset = hash[^1] & 0x0f;
        var binary =
            ((hash[offset] & 0x7f) << 24) | (hash[offset + 1] << 16) | (hash[offset + 2] << 8) | hash[offset + 3];
        var modulo = (int)Math.Pow(10, digits);
        return (binary % modulo).ToString(CultureInfo.InvariantCulture).PadLeft(digits, '0');
    }

    /// <summary>
    /// The step whose code <paramref name="code"/> is, looking one step either side of now (RFC 6238 §5.2 allows for
    /// clock drift and typing time); null when it matches none.
    /// </summary>
    public static long? MatchingStep(ReadOnlySpan<byte> secret, string code, DateTimeOffset now)
    {
        var current = StepAt(now);
        long? match = null;
        // Every candidate is compared, in constant time, so the answer's timing says nothing about which one matched.
        for (var step = current - 1; step <= current + 1; step++)
        {
            var expected = System.Text.Encoding.ASCII.GetBytes(Code(secret, step));
            var given = System.Text.Encoding.ASCII.GetBytes(code);
            if (CryptographicOperations.FixedTimeEquals(expected, given) && match is null)
            {
                match = step;
            }
        }
        return match;
    }

    /// <summary>The otpauth:// URI authenticator apps read from a QR code (Google Authenticator's Key Uri
    /// Format).</summary>
    public static string Uri(string issuer, string account, string base32Secret) =>
        $"otpauth://totp/{System.Uri.EscapeDataString(issuer)}:{System.Uri.EscapeDataString(account)}"
        + $"?secret={base32Secret}&issuer={System.Uri.EscapeDataString(issuer)}"
        + $"&algorithm=SHA1&digits={Digits}&period={StepSeconds}";
}
