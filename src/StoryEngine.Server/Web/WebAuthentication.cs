using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.IdentityModel.JsonWebTokens;
using StoryEngine.Core.Accounts;

namespace StoryEngine.Server.Web;

/// <summary>
/// Sign-in for the web pages: a cookie of its own scheme, holding the same claims an access token does (user, session,
/// name, role). It is never the default scheme, so the API (which authenticates with the default, Bearer) does not
/// accept it: a page's cookie cannot be ridden by another site into the API, whose routes have no antiforgery
/// (docs/adr/0021-web-pages-with-their-own-cookie-scheme.md). Which scheme a request is authenticated with is chosen by
/// its path (<see cref="SelectScheme"/>).
/// </summary>
public static class WebAuthentication
{
    public const string Scheme = "StoryEngine.Web";

    /// <summary>The default scheme: forwards to the cookie for page requests and to Bearer for everything
    /// else.</summary>
    public const string SelectScheme = "StoryEngine.ByPath";
    public const string Policy = "web";
    public const string AdminPolicy = "web-admin";
    public const string CookieName = "storyengine.session";

    public static IServiceCollection AddWebAuthentication(this IServiceCollection services)
    {
        services
            .AddAuthentication()
            .AddCookie(Scheme, o =>
            {
                o.Cookie.Name = CookieName;
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Lax;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.LoginPath = "/signin";
                o.LogoutPath = "/signout";
                o.AccessDeniedPath = "/forbidden";
                // The session the cookie names lasts as long as a refresh token would; the per-request check below ends
                // it
                // sooner
                // when it is signed out, revoked or its user disabled.
                o.ExpireTimeSpan = AccountService.RefreshLifetime;
                o.SlidingExpiration = false;
                o.Events.OnValidatePrincipal = ValidateAsync;
            });
        services
            .AddAuthorizationBuilder()
            .AddPolicy(Policy, p => p.AddAuthenticationSchemes(Scheme).RequireAuthenticatedUser())
            .AddPolicy(AdminPolicy, p =>
                p.AddAuthenticationSchemes(Scheme).RequireAuthenticatedUser().RequireRole(Roles.Admin)
            );
        return services;
    }

    /// <summary>Issues the cookie for a session that <c>AccountService.SignInAsync</c> opened.</summary>
    public static Task SignInAsync(HttpContext context, SignedIn signedIn) =>
        context.SignInAsync(
            Scheme,
            Principal(signedIn.User.Id, signedIn.SessionId, signedIn.User.Username, signedIn.User.IsAdmin),
            new AuthenticationProperties { IsPersistent = true }
        );

    private static ClaimsPrincipal Principal(string userId, string sessionId, string username, bool isAdmin) =>
        new(
            new ClaimsIdentity(
                [
                    new Claim(JwtRegisteredClaimNames.Sub, userId),
                    new Claim(JwtRegisteredClaimNames.Sid, sessionId),
                    new Claim("name", username),
                    new Claim("role", isAdmin ? Roles.Admin : Roles.User),
                ],
                Scheme,
                "name",
                "role"
            )
        );

    // Same rule as the bearer handler: the cookie is only as good as its session, and the role is the account's as it
    // is now.
    private static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var principal = context.Principal;
        var userId = principal?.FindFirst(JwtRegisteredClaimNames.Sub)?.Value;
        var sessionId = principal?.FindFirst(JwtRegisteredClaimNames.Sid)?.Value;
        var sessions = context.HttpContext.RequestServices.GetRequiredService<ActiveSessions>();
        var state =
            userId is null || sessionId is null
                ? null
                : await sessions.CheckAsync(sessionId, userId, context.HttpContext.RequestAborted);
        if (state is null)
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(Scheme);
            return;
        }
        var isAdmin = principal!.IsInRole(Roles.Admin);
        if (isAdmin != state.IsAdmin)
        {
            context.ReplacePrincipal(Principal(userId!, sessionId!, principal.Identity?.Name ?? "", state.IsAdmin));
        }
    }
}
