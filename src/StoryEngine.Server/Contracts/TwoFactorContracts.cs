namespace StoryEngine.Server.Contracts;

public sealed record TwoFactorStatusResponse(
    bool Enabled,
    DateTimeOffset? EnabledAt,
    bool Pending,
    int RecoveryCodesLeft
);

/// <summary>The new secret, as base32 for typing and as an otpauth:// URI for a QR code. Shown once.</summary>
public sealed record TwoFactorEnrolmentResponse(string Secret, string OtpauthUri);

public sealed record ConfirmTwoFactorRequest(string? Code);

/// <summary>Ten one-time codes for when the authenticator is lost. Shown once; only their hashes are kept.</summary>
public sealed record RecoveryCodesResponse(IReadOnlyList<string> RecoveryCodes);

public sealed record DisableTwoFactorRequest(string? Password, string? Code, string? RecoveryCode);
