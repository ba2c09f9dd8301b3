namespace StoryEngine.Server.Contracts;

public sealed record RegisterRequest(string? Username, string? Password);

/// <summary><see cref="Code"/> (TOTP) or <see cref="RecoveryCode"/> is needed when the account has two-factor sign-in
/// on.</summary>
public sealed record LoginRequest(string? Username, string? Password, string? Code = null, string? RecoveryCode = null);

public sealed record RefreshRequest(string? RefreshToken);

public sealed record UserResponse(string Id, string Username, bool IsAdmin, DateTimeOffset CreatedAt);

/// <summary>The same shape as ASP.NET's own bearer-token endpoints, so existing clients recognise it.</summary>
public sealed record TokenResponse(string TokenType, string AccessToken, int ExpiresIn, string RefreshToken);
