using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using StoryEngine.Core.Accounts;
using StoryEngine.Core.ApiKeys;

namespace StoryEngine.Server.Auth;

/// <summary>
/// Accepts <c>Authorization: Bearer &lt;access token&gt;</c>. Written by hand because the JwtBearer package
/// does not restore here (../shared/STACK.md); the checking itself is Microsoft.IdentityModel's.
/// A valid signature is not enough: the token's session must still be active and its user not disabled
/// (<see cref="ActiveSessions"/>, docs/adr/0009-session-checks-without-a-query-per-request.md).
/// </summary>
public sealed class BearerAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    AccessTokens tokens,
    ActiveSessions sessions,
    ApiKeyService apiKeys,
    IProblemDetailsService problems
) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Bearer";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header))
        {
            return AuthenticateResult.NoResult();
        }
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.Fail("The Authorization header must use the Bearer scheme.");
        }
        var bearer = header["Bearer ".Length..].Trim();
        if (ApiKeyFormat.LooksLikeKey(bearer))
        {
            return await AuthenticateKeyAsync(bearer);
        }
        var identity = await tokens.ValidateAsync(bearer, SchemeName);
        if (identity is null)
        {
            return AuthenticateResult.Fail("The access token is invalid or expired.");
        }
        var userId = identity.FindFirst(JwtRegisteredClaimNames.Sub)?.Value;
        var sessionId = identity.FindFirst(JwtRegisteredClaimNames.Sid)?.Value;
        var state =
            userId is null || sessionId is null
                ? null
                : await sessions.CheckAsync(sessionId, userId, Context.RequestAborted);
        if (state is null)
        {
            return AuthenticateResult.Fail(
                "The session of this access token was signed out, or the account was " + "disabled. Sign in again."
            );
        }
        // The role comes from the account as it is now, so taking admin away works at once, not when the token expires.
        var claims = identity
            .Claims.Where(c => c.Type != "role")
            .Append(new Claim("role", state.IsAdmin ? Roles.Admin : Roles.User));
        return AuthenticateResult.Success(
            new AuthenticationTicket(new(new ClaimsIdentity(claims, SchemeName, "name", "role")), SchemeName)
        );
    }

    /// <summary>
    /// An API key acts for its owner with the scopes it was given (ApiKeyScopeMiddleware enforces them). It has no
    /// session; its <c>sid</c> names the key, so "current session" matches nothing. The admin role is granted only
    /// while the owner is an admin and the key has the admin scope.
    /// </summary>
    private async Task<AuthenticateResult> AuthenticateKeyAsync(string key)
    {
        var principal = await apiKeys.AuthenticateAsync(key, Context.RequestAborted);
        if (principal is null)
        {
            return AuthenticateResult.Fail("The API key is unknown, revoked or expired, or its account is disabled.");
        }
        var claims = new List<Claim>
        {
            new(JwtRegisteredClaimNames.Sub, principal.UserId),
            new(JwtRegisteredClaimNames.Sid, "key:" + principal.KeyId),
            new("name", principal.Username),
            new("role", principal.IsAdmin ? Roles.Admin : Roles.User),
            new(ApiKeyClaims.KeyId, principal.KeyId),
        };
        claims.AddRange(principal.Scopes.Select(scope => new Claim(ApiKeyClaims.Scope, scope)));
        return AuthenticateResult.Success(
            new AuthenticationTicket(new(new ClaimsIdentity(claims, SchemeName, "name", "role")), SchemeName)
        );
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = result.Failure is null ? "Bearer" : "Bearer error=\"invalid_token\"";
        await problems.WriteAsync(
            new ProblemDetailsContext
            {
                HttpContext = Context,
                ProblemDetails =
                {
                    Status = StatusCodes.Status401Unauthorized,
                    Title = "Sign-in required",
                    Detail = result.Failure?.Message
                        ?? "Send an access token in the Authorization header (Bearer). Get one from POST "
                            + "/api/v1/auth/login.",
                    Extensions = { ["code"] = result.Failure is null ? "unauthorized" : "invalid_token" },
                },
            }
        );
    }

    protected override async Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status403Forbidden;
        await problems.WriteAsync(
            new ProblemDetailsContext
            {
                HttpContext = Context,
                ProblemDetails =
                {
                    Status = StatusCodes.Status403Forbidden,
                    Title = "Forbidden",
                    Detail = "Your account may not do this: it needs the admin role.",
                    Extensions = { ["code"] = "forbidden" },
                },
            }
        );
    }
}
