using System.Security.Cryptography;
using System.Text;
using StoryEngine.Core.TwoFactor;

namespace StoryEngine.Tests.Accounts;

/// <summary>The hand-written TOTP against RFC 6238's own test vectors (Appendix B) and base32 against RFC 4648
/// §10.</summary>
public sealed class TotpTests
{
    private static readonly byte[] Sha1Seed = Encoding.ASCII.GetBytes("12345678901234567890");
    private static readonly byte[] Sha256Seed = Encoding.ASCII.GetBytes("12345678901234567890123456789012");
    private static readonly byte[] Sha512Seed = Encoding.ASCII.GetBytes(
        "1234567890123456789012345678901234567890123456789012345678901234"
    );

    [Theory]
    [InlineData(59L, "94287082", "46119246", "90693936")]
    [InlineData(1111111109L, "07081804", "68084774", "25091201")]
    [InlineData(1111111111L, "14050471", "67062674", "99943326")]
    [InlineData(1234567890L, "89005924", "91819424", "93441116")]
    [InlineData(2000000000L, "69279037", "90698825", "38618901")]
    [InlineData(20000000000L, "65353130", "77737706", "47863826")]
    public void codes_match_the_rfc_6238_test_vectors(long unixSeconds, string sha1, string sha256, string sha512)
    {
        var step = Totp.StepAt(DateTimeOffset.FromUnixTimeSeconds(unixSeconds));
        Assert.Equal(sha1, Totp.Code(Sha1Seed, step, 8));
        Assert.Equal(sha256, Totp.Code(Sha256Seed, step, 8, HashAlgorithmName.SHA256));
        Assert.Equal(sha512, Totp.Code(Sha512Seed, step, 8, HashAlgorithmName.SHA512));
    }

    [Fact]
    public void six_digit_codes_are_the_last_six_of_the_eight()
    {
        var step = Totp.StepAt(DateTimeOffset.FromUnixTimeSeconds(59));
        Assert.Equal("287082", Totp.Code(Sha1Seed, step));
    }

    [Fact]
    public void a_code_is_accepted_one_step_either_side_of_now_and_not_two()
    {
        var now = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);
        var step = Totp.StepAt(now);
        Assert.Equal(step, Totp.MatchingStep(Sha1Seed, Totp.Code(Sha1Seed, step), now));
        Assert.Equal(step - 1, Totp.MatchingStep(Sha1Seed, Totp.Code(Sha1Seed, step - 1), now));
        Assert.Equal(step + 1, Totp.MatchingStep(Sha1Seed, Totp.Code(Sha1Seed, step + 1), now));
        Assert.Null(Totp.MatchingStep(Sha1Seed, Totp.Code(Sha1Seed, step - 2), now));
        Assert.Null(Totp.MatchingStep(Sha1Seed, Totp.Code(Sha1Seed, step + 2), now));
        Assert.Null(Totp.MatchingStep(Sha1Seed, "abcdef", now));
    }

    [Theory]
    [InlineData("", "")]
    [InlineData("f", "MY")]
    [InlineData("fo", "MZXQ")]
    [InlineData("foo", "MZXW6")]
    [InlineData("foob", "MZXW6YQ")]
    [InlineData("fooba", "MZXW6YTB")]
    [InlineData("foobar", "MZXW6YTBOI")]
    public void base32_matches_rfc_4648_without_padding(string plain, string encoded)
    {
        Assert.Equal(encoded, Base32.Encode(Encoding.ASCII.GetBytes(plain)));
        Assert.Equal(plain, Encoding.ASCII.GetString(Base32.Decode(encoded.ToLowerInvariant())!));
        Assert.Null(Base32.Decode("MZ1W"));
    }

    [Fact]
    public void the_otpauth_uri_carries_issuer_account_and_secret()
    {
        var uri = Totp.Uri("Story Engine", "ada", "JBSWY3DPEHPK3PXP");
        Assert.Equal(
            "otpauth://totp/Story%20Engine:ada?secret=JBSWY3DPEHPK3PXP&issuer=Story%20Engine"
                + "&algorithm=SHA1&digits=6&period=30",
            uri
        );
    }
}
