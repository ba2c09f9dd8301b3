namespace StoryEngine.Core.Audit;

/// <summary>The stable names of audited actions; clients filter on them (<c>GET
/// /api/v1/admin/audit?action=</c>).</summary>
public static class AuditActions
{
    public const string AccountCreated = "account.created";
    public const string LoginSucceeded = "auth.login.succeeded";
    public const string LoginFailed = "auth.login.failed";

    /// <summary>Refused without checking the password: the account or the address is in its waiting period.</summary>
    public const string LoginThrottled = "auth.login.throttled";

    /// <summary>The password was right but the account is disabled.</summary>
    public const string LoginRefusedDisabled = "auth.login.refused_disabled";
    public const string Logout = "auth.logout";

    /// <summary>An already-rotated refresh token was presented: its whole session was revoked.</summary>
    public const string RefreshReused = "auth.refresh.reused";
    public const string SessionRevoked = "session.revoked";
    public const string PasswordChanged = "password.changed";
    public const string PasswordChangeFailed = "password.change_failed";
    public const string UserDisabled = "user.disabled";
    public const string UserEnabled = "user.enabled";
    public const string RoleChanged = "user.role_changed";
    public const string TierChanged = "user.tier_changed";
    public const string QuotaChanged = "user.quota_changed";

    /// <summary>The user downloaded everything they own (GET /api/v1/me/export).</summary>
    public const string AccountExported = "account.exported";

    /// <summary>The account and everything it owned were erased; the entry keeps only the account's id
    /// (docs/security.md).</summary>
    public const string AccountDeleted = "account.deleted";
    public const string ApiKeyCreated = "api_key.created";
    public const string ApiKeyRevoked = "api_key.revoked";
    public const string TwoFactorEnabled = "two_factor.enabled";
    public const string TwoFactorDisabled = "two_factor.disabled";

    /// <summary>A wrong or reused TOTP or recovery code, at sign-in or when disabling two-factor sign-in.</summary>
    public const string TwoFactorFailed = "two_factor.failed";
    public const string RecoveryCodeUsed = "two_factor.recovery_code_used";

    /// <summary>Someone asked for a reset; the detail says whether a known account with an address got a
    /// mail.</summary>
    public const string PasswordResetRequested = "password_reset.requested";

    /// <summary>The operator printed a reset link with <c>storyengine users reset-link</c>.</summary>
    public const string PasswordResetIssued = "password_reset.issued";
    public const string PasswordResetCompleted = "password_reset.completed";
    public const string PasswordResetFailed = "password_reset.failed";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal)
    {
        AccountCreated,
        LoginSucceeded,
        LoginFailed,
        LoginThrottled,
        LoginRefusedDisabled,
        Logout,
        RefreshReused,
        SessionRevoked,
        PasswordChanged,
        PasswordChangeFailed,
        UserDisabled,
        UserEnabled,
        RoleChanged,
        TierChanged,
        QuotaChanged,
        AccountExported,
        AccountDeleted,
        ApiKeyCreated,
        ApiKeyRevoked,
        TwoFactorEnabled,
        TwoFactorDisabled,
        TwoFactorFailed,
        RecoveryCodeUsed,
        PasswordResetRequested,
        PasswordResetIssued,
        PasswordResetCompleted,
        PasswordResetFailed,
    };
}
