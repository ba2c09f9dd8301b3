namespace StoryEngine.Server.Auth;

/// <summary>Named authorization policies. Endpoints say who may call them with these, never with checks in
/// handlers.</summary>
public static class AuthorizationPolicies
{
    /// <summary>Signed in with the admin role (as it is now, not as it was when the token was issued: see
    /// BearerAuthenticationHandler).</summary>
    public const string Admin = "admin";
}
