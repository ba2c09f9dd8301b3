using System.IO.Compression;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.ResponseCompression;
using Microsoft.AspNetCore.Routing;
using StoryEngine.Server.Auth;
using StoryEngine.Server.Http;
using StoryEngine.Server.Web;

namespace StoryEngine.Server.Hosting;

/// <summary>
/// The cross-cutting HTTP behaviour every endpoint shares: Kestrel's limits, compression, HSTS, problem details,
/// which scheme authenticates a request, and the OpenAPI document. Health, rate limits and trusted proxies are
/// their own extensions, called beside these from <see cref="StoryEngineHost.CreateBuilder"/>.
/// </summary>
public static class HttpServiceCollectionExtensions
{
    public const long MaxRequestBodyBytes = 1024 * 1024;

    /// <summary>
    /// Kestrel's limits, compression, HSTS and where data protection keeps keys. The shutdown timeout follows the
    /// drain (<see cref="DrainServiceCollectionExtensions.AddGracefulDrain"/>).
    /// </summary>
    public static WebApplicationBuilder AddStoryHttp(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = MaxRequestBodyBytes;
        });

        services.AddResponseCompression(o =>
        {
            o.EnableForHttps = true;
            o.Providers.Add<BrotliCompressionProvider>();
            o.Providers.Add<GzipCompressionProvider>();
            o.MimeTypes = ResponseCompressionDefaults.MimeTypes.Concat(["application/problem+json"]);
        });
        services.Configure<BrotliCompressionProviderOptions>(o => o.Level = CompressionLevel.Fastest);
        services.Configure<GzipCompressionProviderOptions>(o => o.Level = CompressionLevel.Fastest);

        // Data protection (used by the framework's auth plumbing) keeps its keys with the rest of our data, not in
        // $HOME.
        var dataDir = builder.Configuration["DataDir"] is { Length: > 0 } dir ? dir : new StoryEngineOptions().DataDir;
        services
            .AddDataProtection()
            .PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(dataDir, "keys", "data-protection")));

        services.AddHsts(o =>
        {
            o.MaxAge = TimeSpan.FromDays(365);
            // The framework leaves out localhost and loopback addresses for development; browsers ignore HSTS for IP
            // literals anyway, and leaving nothing out means what an operator (and a test) sees is what ships.
            o.ExcludedHosts.Clear();
        });
        return builder;
    }

    /// <summary>Every failure leaves as an RFC 9457 problem with a stable <c>code</c> (docs/api.md).</summary>
    public static IServiceCollection AddStoryProblemDetails(this IServiceCollection services)
    {
        services.AddProblemDetails(o =>
            o.CustomizeProblemDetails = context =>
            {
                var problem = context.ProblemDetails;
                var status = problem.Status ?? context.HttpContext.Response.StatusCode;
                problem.Extensions.TryAdd("code", ProblemCodes.ForStatus(status));
                problem.Type ??= ProblemCodes.TypeFor(status);
                problem.Detail ??= ProblemCodes.DefaultDetail(status);
                problem.Instance ??= context.HttpContext.Request.Path;
            }
        );
        services.AddSingleton<IProblemDetailsWriter, ProblemJsonWriter>(); // after the framework's: see the class
        services.AddExceptionHandler<ProblemExceptionHandler>();
        // Our handler logs what is unexpected; expected 4xx exceptions are not worth an error line each.
        services.Configure<ExceptionHandlerOptions>(o => o.SuppressDiagnosticsCallback = _ => true);
        // Binding failures (bad JSON, wrong content type, unparsable query values) become exceptions we turn into
        // problems.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        // Duplicate keys, lone surrogates and NUL are refused while the body is read, at their position (issue 15).
        services.ConfigureHttpJsonOptions(o => StrictJsonNodeConverterFactory.AddTo(o.SerializerOptions));
        return services;
    }

    /// <summary>
    /// The API authenticates with Bearer only; the web pages with their cookie only (registered by the web app).
    /// Which one a request gets is decided by its path, so a browser's cookie never signs in an API call
    /// (docs/adr/0021).
    /// </summary>
    public static IServiceCollection AddStoryAuthentication(this IServiceCollection services)
    {
        services
            .AddAuthentication(WebAuthentication.SelectScheme)
            .AddScheme<AuthenticationSchemeOptions, BearerAuthenticationHandler>(
                BearerAuthenticationHandler.SchemeName,
                null
            )
            .AddPolicyScheme(WebAuthentication.SelectScheme, null, o =>
                o.ForwardDefaultSelector = context =>
                    WebAppServiceCollectionExtensions.IsPageRequest(context)
                        ? WebAuthentication.Scheme
                        : BearerAuthenticationHandler.SchemeName
            );
        services.AddAuthorization();
        return services;
    }

    /// <summary>The OpenAPI document at /openapi/v1.json, with the Bearer scheme described.</summary>
    public static IServiceCollection AddStoryOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(o => o.AddDocumentTransformer<BearerSecuritySchemeTransformer>());
}
