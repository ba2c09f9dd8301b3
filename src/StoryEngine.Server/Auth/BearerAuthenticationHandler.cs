using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace StoryEngine.Server.Auth;

/// <summary>
/// Accepts <c>Authorization: Bearer &lt;access token&gt;</c>. Written by hand because the JwtBearer package
/// does not restore here (../shared/STACK.md); the checking itself is Microsoft.IdentityModel's.
/// </summary>
public sealed class BearerAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    AccessTokens tokens,
    IProblemDetailsService problems)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
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
        var identity = await tokens.ValidateAsync(header["Bearer ".Length..].Trim(), SchemeName);
        return identity is null
            ? AuthenticateResult.Fail("The access token is invalid or expired.")
            : AuthenticateResult.Success(new AuthenticationTicket(new(identity), SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = result.Failure is null ? "Bearer" : "Bearer error=\"invalid_token\"";
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails =
            {
                Status = StatusCodes.Status401Unauthorized,
                Title = "Sign-in required",
                Detail = result.Failure?.Message
                    ?? "Send an access token in the Authorization header (Bearer). Get one from POST /api/v1/auth/login.",
                Extensions = { ["code"] = result.Failure is null ? "unauthorized" : "invalid_token" },
            },
        });
    }
}
