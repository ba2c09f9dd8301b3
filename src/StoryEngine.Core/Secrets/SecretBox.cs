using System.Security.Cryptography;
using System.Text;

namespace StoryEngine.Core.Secrets;

/// <summary>
/// Encrypts small secrets for storage (TOTP secrets, backend API keys in configuration, queued mail) with AES-256-GCM
/// under one 256-bit key (issue 4 §7). The text form is versioned — <c>v1:</c> + base64(nonce | tag | ciphertext) —
/// so a later key or algorithm can be told apart from this one. GCM authenticates: a changed or truncated value, or
/// one made under another key, fails to open instead of decrypting to garbage.
/// </summary>
public sealed class SecretBox
{
    public const string Version = "v1:";

    /// <summary>How an encrypted value is marked in configuration: <c>enc:v1:...</c>.</summary>
    public const string ConfigurationPrefix = "enc:";

    private const int NonceSize = 12;
    private const int TagSize = 16;
    private readonly byte[] _key;

    public SecretBox(byte[] key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length != 32)
        {
            throw new ArgumentException($"A SecretBox key is 32 bytes (256 bits); got {key.Length}.", nameof(key));
        }
        _key = key.ToArray();
    }

    public string Seal(string plaintext)
    {
        ArgumentNullException.ThrowIfNull(plaintext);
        var plain = Encoding.UTF8.GetBytes(plaintext);
        var output = new byte[NonceSize + TagSize + plain.Length];
        var nonce = output.AsSpan(0, NonceSize);
        // Random 96-bit nonces are safe for far more messages than one server will ever seal under one key (NIST SP
        // 800-38D §8.3).
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagSize);
        aes.Encrypt(nonce, plain, output.AsSpan(NonceSize + TagSize), output.AsSpan(NonceSize, TagSize));
        return Version + Convert.ToBase64String(output);
    }

    /// <summary>The plaintext; <see cref="SecretBoxException"/> when the value is not ours, was changed, or was sealed
    /// under another key.</summary>
    public string Open(string sealedText)
    {
        ArgumentNullException.ThrowIfNull(sealedText);
        if (!sealedText.StartsWith(Version, StringComparison.Ordinal))
        {
            throw new SecretBoxException(
                "The value does not start with 'v1:'; it was not made by this server's " + "SecretBox."
            );
        }
        byte[] data;
        try
        {
            data = Convert.FromBase64String(sealedText[Version.Length..]);
        }
        catch (FormatException)
        {
            throw new SecretBoxException("The value after 'v1:' is not base64.");
        }
        if (data.Length < NonceSize + TagSize)
        {
            throw new SecretBoxException("The value is too short to be a sealed secret.");
        }
        var plain = new byte[data.Length - NonceSize - TagSize];
        try
        {
            using var aes = new AesGcm(_key, TagSize);
            aes.Decrypt(
                data.AsSpan(0, NonceSize),
                data.AsSpan(NonceSize + TagSize),
                data.AsSpan(NonceSize, TagSize),
                plain
            );
        }
        catch (AuthenticationTagMismatchException)
        {
            throw new SecretBoxException(
                "The value was changed, or it was sealed under a different key " + "(Secrets:Key or keys/secrets.key)."
            );
        }
        return Encoding.UTF8.GetString(plain);
    }

    /// <summary>A configuration value as written: <c>enc:v1:...</c> is opened, anything else is returned as it
    /// is.</summary>
    public string OpenConfigurationValue(string value) =>
        value.StartsWith(ConfigurationPrefix, StringComparison.Ordinal)
            ? Open(value[ConfigurationPrefix.Length..])
            : value;
}

/// <summary>A sealed value could not be opened. The message never contains the value.</summary>
public sealed class SecretBoxException(string message) : Exception(message);
