using System.Security.Claims;
using Microsoft.IdentityModel.JsonWebTokens;

namespace StoryEngine.Server.Auth;

public static class ClaimsPrincipalExtensions
{
    /// <summary>The signed-in user's id; endpoints behind RequireAuthorization always have one.</summary>
    public static string UserId(this ClaimsPrincipal principal) =>
        principal.FindFirstValue(JwtRegisteredClaimNames.Sub)
        ?? principal.FindFirstValue(ClaimTypes.NameIdentifier)
        ?? throw new InvalidOperationException("The endpoint requires authorization but no user id is present.");

    /// <summary>The session the access token belongs to (its <c>sid</c> claim); the bearer handler refuses tokens
    /// without one.</summary>
    public static string SessionId(this ClaimsPrincipal principal) =>
        principal.FindFirstValue(JwtRegisteredClaimNames.Sid)
        ?? throw new InvalidOperationException("The endpoint requires authorization but no session id is present.");
}
