namespace StoryEngine.Server.Contracts;

public sealed record RegisterRequest(string? Username, string? Password);

public sealed record LoginRequest(string? Username, string? Password);

public sealed record RefreshRequest(string? RefreshToken);

public sealed record UserResponse(string Id, string Username, bool IsAdmin, DateTimeOffset CreatedAt);

/// <summary>The same shape as ASP.NET's own bearer-token endpoints, so existing clients recognise it.</summary>
public sealed record TokenResponse(string TokenType, string AccessToken, int ExpiresIn, string RefreshToken);
