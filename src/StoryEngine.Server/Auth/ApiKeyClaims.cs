using System.Security.Claims;

namespace StoryEngine.Server.Auth;

/// <summary>The claims a request authenticated with an API key carries besides the user's.</summary>
public static class ApiKeyClaims
{
    public const string KeyId = "api_key";
    public const string Scope = "scope";

    public static bool IsApiKey(this ClaimsPrincipal principal) => principal.HasClaim(c => c.Type == KeyId);

    public static bool HasScope(this ClaimsPrincipal principal, string scope) => principal.HasClaim(Scope, scope);
}
