using StoryEngine.Core.Accounts;
using StoryEngine.Core.Errors;

namespace StoryEngine.Tests.Accounts;

public sealed class PasswordPolicyTests
{
    [Fact]
    public void the_common_password_list_is_embedded_and_holds_thousands_of_long_entries()
    {
        Assert.True(CommonPasswords.Count > 5_000, $"only {CommonPasswords.Count} entries");
        Assert.True(CommonPasswords.Contains("password1234"));
        Assert.True(CommonPasswords.Contains("Pass Word 1234")); // compared lower-cased, without spaces
        Assert.False(CommonPasswords.Contains(TestPasswords.Good));
    }

    [Theory]
    [InlineData("elevenchars", "at least 12")]
    [InlineData("Story.Teller", "not be the username")]
    [InlineData("111111111111", "one character")]
    [InlineData("monkeymonkey", "commonly used")]
    [InlineData("1q2w3e4r5t6y", "commonly used")]
    [InlineData("Welcome2025!", "commonly used")]
    public void weak_passwords_are_refused_with_a_reason(string password, string reason)
    {
        var errors = new FieldErrors();
        PasswordPolicy.Check(errors, "password", password, "story.teller");
        var failure = Assert.Throws<ValidationFailedException>(errors.ThrowIfAny);
        Assert.Contains(reason, failure.Errors["password"][0], StringComparison.Ordinal);
    }

    [Fact]
    public void a_long_uncommon_password_passes()
    {
        var errors = new FieldErrors();
        PasswordPolicy.Check(errors, "password", TestPasswords.Good, "story.teller");
        Assert.False(errors.Any);
    }

    private static class TestPasswords
    {
        public const string Good = "lantern fog over saltmere";
    }
}
