using Microsoft.AspNetCore.Mvc.ApplicationParts;
using Microsoft.AspNetCore.Mvc.Controllers;
using Microsoft.Extensions.FileProviders;
using StoryEngine.Server.Apis;
using StoryEngine.Server.Hosting;

namespace StoryEngine.Server.Web;

/// <summary>
/// The web app (issue 6): server-rendered Razor Pages in the same program, reading and writing through the same
/// application services as the API, signed in with a cookie, antiforgery on every form, and a few small ES modules
/// of our own for what must be live (docs/adr/0021-web-pages-with-their-own-cookie-scheme.md).
/// </summary>
public static class WebAppServiceCollectionExtensions
{
    /// <summary>Where our stylesheet and modules are served from.</summary>
    public const string StaticPath = "/static";

    public static IServiceCollection AddStoryWebApp(this IServiceCollection services)
    {
        services.AddWebAuthentication();
        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "storyengine.antiforgery";
            o.Cookie.SameSite = SameSiteMode.Strict;
            // Secure on HTTPS, including HTTPS a trusted proxy terminated: UseTrustedProxies runs first and sets the
            // scheme (issue 15). Plain-HTTP installs on a LAN keep working.
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.FormFieldName = "__RequestVerificationToken";
        });
        services
            .AddRazorPages(o =>
            {
                // Every page needs the web sign-in unless it says otherwise; admin pages need the admin role.
                o.Conventions.AuthorizeFolder("/", WebAuthentication.Policy);
                o.Conventions.AuthorizeFolder("/Admin", WebAuthentication.AdminPolicy);
                o.Conventions.AllowAnonymousToPage("/Index");
                o.Conventions.AllowAnonymousToPage("/Error");
                o.Conventions.AllowAnonymousToPage("/Theme");
                o.Conventions.AllowAnonymousToPage("/Account/SignIn");
                o.Conventions.AllowAnonymousToPage("/Account/SignUp");
                o.Conventions.AllowAnonymousToPage("/Account/ForgotPassword");
                o.Conventions.AllowAnonymousToPage("/Account/ResetPassword");
            })
            .ConfigureApplicationPartManager(AddOwnPages);
        services.AddSingleton<CardPreviews>();
        services.AddSingleton<Portraits>();
        return services;
    }

    /// <summary>Our stylesheet, modules and icons, embedded, so they are there whichever folder the program was
    /// started from; and the few files that must sit at the root (wwwroot/root: /manifest.webmanifest, the install
    /// manifest every page links, and /favicon.ico, which browsers ask for unprompted).</summary>
    public static IApplicationBuilder UseWebStaticFiles(this IApplicationBuilder app) =>
        app.UseStaticFiles(
                new StaticFileOptions
                {
                    RequestPath = "",
                    FileProvider = Embedded("StoryEngine.Server.wwwroot.root"),
                    OnPrepareResponse = c => c.Context.Response.Headers.CacheControl = "public, max-age=3600",
                }
            )
            .UseStaticFiles(
                new StaticFileOptions
                {
                    RequestPath = StaticPath,
                    FileProvider = Embedded("StoryEngine.Server.wwwroot"),
                    OnPrepareResponse = c => c.Context.Response.Headers.CacheControl = "public, max-age=300",
                }
            );

    private static EmbeddedFileProvider Embedded(string baseNamespace) =>
        new(typeof(WebAppServiceCollectionExtensions).Assembly, baseNamespace);

    /// <summary>The pages and the narration stream.</summary>
    public static WebApplication MapStoryWebApp(this WebApplication app)
    {
        app.MapRazorPages().RequireRateLimiting(ProtectionServiceCollectionExtensions.ApiPolicy);
        app.MapNarrationStream();
        app.MapWebPictures();
        return app;
    }

    /// <summary>Pages answer failures with an HTML page; the API keeps its problem documents.</summary>
    public static IApplicationBuilder UseWebErrorPages(this IApplicationBuilder app) =>
        app.UseWhen(IsPageRequest, pages =>
        {
            pages.UseExceptionHandler("/error");
            pages.UseStatusCodePagesWithReExecute("/error", "?status={0}");
        });

    public static bool IsPageRequest(HttpContext context)
    {
        var path = context.Request.Path;
        return !(
            path.StartsWithSegments("/api")
            || path.StartsWithSegments("/openapi")
            || path.StartsWithSegments("/health")
            || path.StartsWithSegments("/docs")
            || path.StartsWithSegments("/mcp") // the MCP server signs in with Bearer, as the API does
            || path.StartsWithSegments(StaticPath)
            || (
                path.StartsWithSegments("/play", out var rest)
                && rest.Value?.EndsWith("/stream", StringComparison.Ordinal) == true
            )
        );
    }

    // When the entry assembly is not this one (tests host the server in-process), the pages must still be found; and
    // controllers are never looked for.
    private static void AddOwnPages(ApplicationPartManager manager)
    {
        // No controllers here (the API is minimal APIs, the web app Razor Pages): looking for them loaded every type of
        // the program at start, and with them assemblies a server may never use, such as the Redis client (issue 19).
        // View components and tag helpers are still found, when a page first needs them.
        foreach (var controllers in manager.FeatureProviders.OfType<ControllerFeatureProvider>().ToArray())
        {
            manager.FeatureProviders.Remove(controllers);
        }
        var assembly = typeof(WebAppServiceCollectionExtensions).Assembly;
        if (manager.ApplicationParts.Any(p => p is AssemblyPart a && a.Assembly == assembly))
        {
            return;
        }
        foreach (var part in ApplicationPartFactory.GetApplicationPartFactory(assembly).GetApplicationParts(assembly))
        {
            manager.ApplicationParts.Add(part);
        }
    }
}
