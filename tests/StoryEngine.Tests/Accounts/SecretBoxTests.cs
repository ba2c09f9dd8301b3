using System.Security.Cryptography;
using StoryEngine.Core.Secrets;

namespace StoryEngine.Tests.Accounts;

/// <summary>AES-256-GCM sealing of secrets at rest (issue 4 §7).</summary>
public sealed class SecretBoxTests
{
    private readonly SecretBox _box = new(RandomNumberGenerator.GetBytes(32));

    [Fact]
    public void a_sealed_value_opens_to_what_went_in_and_does_not_contain_it()
    {
        var sealed1 = _box.Seal("sk-live-very-secret");
        var sealed2 = _box.Seal("sk-live-very-secret");
        Assert.StartsWith("v1:", sealed1, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", sealed1, StringComparison.Ordinal);
        Assert.NotEqual(sealed1, sealed2); // a fresh nonce each time
        Assert.Equal("sk-live-very-secret", _box.Open(sealed1));
        Assert.Equal("", _box.Open(_box.Seal("")));
    }

    [Fact]
    public void a_changed_value_or_another_key_does_not_open()
    {
        var sealedText = _box.Seal("the secret");
        var bytes = Convert.FromBase64String(sealedText[3..]);
        bytes[^1] ^= 1;
        Assert.Throws<SecretBoxException>(() => _box.Open("v1:" + Convert.ToBase64String(bytes)));
        Assert.Throws<SecretBoxException>(() => new SecretBox(RandomNumberGenerator.GetBytes(32)).Open(sealedText));
        Assert.Throws<SecretBoxException>(() => _box.Open("v2:" + sealedText[3..]));
        Assert.Throws<SecretBoxException>(() => _box.Open("v1:not base64!"));
        Assert.Throws<SecretBoxException>(() => _box.Open("v1:AAAA"));
        Assert.Throws<ArgumentException>(() => new SecretBox(new byte[16]));
    }

    [Fact]
    public void configuration_values_open_only_when_marked()
    {
        Assert.Equal("plain", _box.OpenConfigurationValue("plain"));
        Assert.Equal("sk-1", _box.OpenConfigurationValue("enc:" + _box.Seal("sk-1")));
    }
}
