using StoryEngine.Core.Errors;

namespace StoryEngine.Core.Accounts;

/// <summary>
/// What a new password must be (issue 4; OWASP ASVS 2.1): at least 12 characters, at most 1,024 (PBKDF2 cost grows
/// with length), not the username, not one character repeated, not on the common-passwords list. No composition
/// rules ("one digit, one symbol"): length and a deny-list are what NIST SP 800-63B recommends.
/// </summary>
public static class PasswordPolicy
{
    public const int MinLength = 12;
    public const int MaxLength = 1024;

    /// <summary>Adds what is wrong with <paramref name="password"/> to <paramref name="errors"/> under <paramref
    /// name="field"/>.</summary>
    public static void Check(FieldErrors errors, string field, string? password, string? username)
    {
        if (string.IsNullOrEmpty(password) || password.Length < MinLength)
        {
            errors.Add(field, $"{field} must be at least {MinLength} characters.");
        }
        else if (password.Length > MaxLength)
        {
            errors.Add(field, $"{field} must be at most {MaxLength} characters.");
        }
        else if (
            username is not null
            && string.Equals(
                CommonPasswords.Normalize(password),
                CommonPasswords.Normalize(username),
                StringComparison.Ordinal
            )
        )
        {
            errors.Add(field, $"{field} must not be the username.");
        }
        else if (password.Distinct().Count() == 1)
        {
            errors.Add(field, $"{field} must not be one character repeated.");
        }
        else if (CommonPasswords.Contains(password))
        {
            errors.Add(
                field,
                $"{field} is on the list of commonly used passwords that attackers try first; choose " + "another."
            );
        }
    }
}
