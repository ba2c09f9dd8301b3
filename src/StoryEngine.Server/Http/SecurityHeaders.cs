namespace StoryEngine.Server.Http;

/// <summary>
/// Headers every response carries (OWASP secure headers): no MIME sniffing, no referrer leaks, no framing, and a
/// content security policy that allows nothing for the API, only our own files for the /docs explorer, and for the web
/// pages only our own stylesheet, modules, connections and audio (read aloud, issue 25): no inline script or
/// style, no other origin, forms post here.
/// </summary>
public static class SecurityHeaders
{
    private const string ApiPolicy = "default-src 'none'; frame-ancestors 'none'";
    private const string PagePolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' "
        + "data:; connect-src 'self'; manifest-src 'self'; media-src 'self'; "
        + "form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
    private const string DocsPolicy =
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        + "script-src 'self' 'unsafe-inline'; frame-ancestors 'none'";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) =>
        app.Use(
            (context, next) =>
            {
                var headers = context.Response.Headers;
                headers.XContentTypeOptions = "nosniff";
                headers["Referrer-Policy"] = "no-referrer";
                headers.XFrameOptions = "DENY";
                headers.ContentSecurityPolicy =
                    context.Request.Path.StartsWithSegments("/docs") ? DocsPolicy
                    : Web.WebAppServiceCollectionExtensions.IsPageRequest(context) ? PagePolicy
                    : ApiPolicy;
                return next(context);
            }
        );
}
