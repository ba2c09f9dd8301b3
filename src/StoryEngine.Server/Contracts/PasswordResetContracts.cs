namespace StoryEngine.Server.Contracts;

/// <summary><see cref="Username"/> may hold the username or the account's email address.</summary>
public sealed record PasswordResetRequest(string? Username, string? Email);

public sealed record PasswordResetConfirmRequest(string? Token, string? NewPassword);

public sealed record PasswordResetAcceptedResponse(string Message);

public sealed record SetEmailRequest(string? Email, string? Password);

public sealed record EmailResponse(string? Email);
