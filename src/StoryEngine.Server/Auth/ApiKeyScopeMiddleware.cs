using StoryEngine.Core.ApiKeys;

namespace StoryEngine.Server.Auth;

/// <summary>
/// What an API key may reach (docs/adr/0011-api-keys.md). Decided here, from the method and the path, for every route
/// at
/// once, so a new route is closed to keys until it is listed: reads need <c>read</c>; writes to world data need
/// <c>write</c>; adventures and turns need <c>play</c>; admin routes need <c>admin</c> (and the admin role, which the
/// authorization policy checks after this). Everything else — the account itself: keys, 2FA, password, sessions,
/// sign-out — needs a signed-in session, so a leaked key cannot make more keys or lock its owner out.
/// </summary>
public sealed class ApiKeyScopeMiddleware(RequestDelegate next)
{
    private static readonly string[] WorldBuilding = ["/api/v1/worlds", "/api/v1/personas", "/api/v1/presets"];
    private static readonly string[] Playing = ["/api/v1/adventures"];
    private const string AdminPrefix = "/api/v1/admin";

    public async Task InvokeAsync(HttpContext context, IProblemDetailsService problems)
    {
        var user = context.User;
        var needed = RequiredScope(context.Request);
        if (
            user.Identity?.IsAuthenticated == true
            && user.IsApiKey()
            && Under(context.Request.Path, "/api")
            && (needed is null || !user.HasScope(needed))
        )
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            await problems.WriteAsync(
                new ProblemDetailsContext
                {
                    HttpContext = context,
                    ProblemDetails =
                    {
                        Status = StatusCodes.Status403Forbidden,
                        Title = "Insufficient scope",
                        Detail = needed is null
                            ? "API keys cannot manage the account (keys, two-factor sign-in, password, sessions). Sign "
                                + "in with your password."
                            : $"This API key lacks the '{needed}' scope that this request needs.",
                        Extensions = { ["code"] = "insufficient_scope", ["requiredScope"] = needed },
                    },
                }
            );
            return;
        }
        await next(context);
    }

    /// <summary>The scope a request needs, or null when no key may make it.</summary>
    public static string? RequiredScope(HttpRequest request)
    {
        var path = request.Path;
        if (Under(path, AdminPrefix))
        {
            return ApiKeyScopes.Admin;
        }
        if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))
        {
            return ApiKeyScopes.Read;
        }
        if (Playing.Any(p => Under(path, p)))
        {
            return ApiKeyScopes.Play;
        }
        if (WorldBuilding.Any(p => Under(path, p)))
        {
            return ApiKeyScopes.Write;
        }
        return null;
    }

    private static bool Under(PathString path, string prefix) =>
        path.StartsWithSegments(prefix, StringComparison.OrdinalIgnoreCase);
}
