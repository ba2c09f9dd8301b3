namespace StoryEngine.Core.PasswordReset;

/// <summary>
/// How reset links look and how long they work. <paramref name="PublicUrl"/> is where people reach the server
/// (https://stories.example.com); the link is <c>{PublicUrl}/reset-password?token=...</c>.
/// </summary>
public sealed record PasswordResetSettings(string? PublicUrl, TimeSpan TokenLifetime)
{
    public static readonly PasswordResetSettings Default = new(null, TimeSpan.FromMinutes(30));

    public string LinkFor(string token) =>
        $"{(PublicUrl ?? "").TrimEnd('/')}/reset-password?token={Uri.EscapeDataString(token)}";
}
