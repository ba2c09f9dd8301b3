using StoryEngine.Core.Accounts;
using StoryEngine.Core.Audit;
using StoryEngine.Core.DataRights;
using StoryEngine.Core.Errors;

namespace StoryEngine.Core.TwoFactor;

/// <summary>
/// Erasing an account that signs in with two factors needs the second factor too (<c>twoFactorCode</c>: a current
/// TOTP code, or an unused recovery code). A wrong code counts toward the sign-in lockout like a wrong password.
/// </summary>
public sealed class TwoFactorDeletionConfirmation(TwoFactorService twoFactor, LoginThrottle throttle)
    : IDeletionConfirmation
{
    public async Task ConfirmAsync(User user, DeletionRequest request, CancellationToken cancellationToken)
    {
        var given = request.TwoFactorCode?.Trim();
        // Recovery codes are 16 letters with dashes; TOTP codes are 6 digits.
        var isRecovery = given is { Length: > 10 };
        var outcome = await twoFactor.CheckAsync(
            user,
            isRecovery ? null : given,
            isRecovery ? given : null,
            RequestOrigin.From(null, null),
            cancellationToken
        );
        switch (outcome)
        {
            case TwoFactorOutcome.Missing:
                throw ValidationFailedException.For(
                    "twoFactorCode",
                    "This account signs in with two factors: give "
                        + "a current code from your authenticator or a recovery code."
                );
            case TwoFactorOutcome.Failed:
                await throttle.RecordFailureAsync(user.Username, null, cancellationToken);
                throw ValidationFailedException.For(
                    "twoFactorCode",
                    "twoFactorCode is wrong, expired or already " + "used."
                );
        }
    }
}
