using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace StoryEngine.Server.Http;

/// <summary>
/// An ETag for every API read that has no version of its own (the caller's account, sessions, usage, jobs, world
/// state, two-factor status, admin lists): a GET answered with <c>200</c> and a JSON value gets a tag made from the
/// bytes it is sent as, and <c>If-None-Match</c> with that tag gets <c>304</c>. Reads whose resources carry a version
/// (worlds, characters, adventures, turns, …) keep their own tags (<see cref="ETagged{TResult}"/>); files and event
/// streams are left alone. Applied once, to the whole <c>/api/v1</c> group, so a new read cannot forget it
/// (issue 17).
/// </summary>
public sealed class ContentETagFilter : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var result = await next(context);
        if (!HttpMethods.IsGet(context.HttpContext.Request.Method) || result is null || HasOwnTag(result))
        {
            return result;
        }
        return Inner(result) is { } ok ? new ContentETagged(ok) : result;
    }

    // A union (Results<Ok<T>, NotFound>) holds the result it chose; an ETagged one already has the resource's tag.
    private static IValueHttpResult? Inner(object result) =>
        result switch
        {
            IValueHttpResult value and IStatusCodeHttpResult { StatusCode: StatusCodes.Status200OK } when IsOk(value) =>
                value,
            INestedHttpResult nested when !HasOwnTag(nested.Result) => Inner(nested.Result),
            _ => null,
        };

    private static bool IsOk(IValueHttpResult value) =>
        value.GetType() is { IsGenericType: true } type && type.GetGenericTypeDefinition() == typeof(Ok<>);

    private static bool HasOwnTag(object result) =>
        result.GetType() is { IsGenericType: true } type && type.GetGenericTypeDefinition() == typeof(ETagged<>);

    /// <summary>Writes the value as <see cref="Ok{TValue}"/> would, with a tag from its bytes.</summary>
    private sealed class ContentETagged(IValueHttpResult ok) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            var options = httpContext.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value;
            // The declared type, as Ok<T> serialises it (not the runtime type, which may carry more).
            var declared = ok.GetType().GetGenericArguments()[0];
            var bytes = JsonSerializer.SerializeToUtf8Bytes(ok.Value, declared, options.SerializerOptions);
            var etag = $"\"c{Convert.ToHexStringLower(SHA256.HashData(bytes).AsSpan(0, 12))}\"";
            httpContext.Response.Headers.ETag = etag;
            if (ETags.NoneMatch(httpContext.Request, etag))
            {
                httpContext.Response.StatusCode = StatusCodes.Status304NotModified;
                return;
            }
            httpContext.Response.StatusCode = StatusCodes.Status200OK;
            httpContext.Response.ContentType = "application/json; charset=utf-8";
            httpContext.Response.ContentLength = bytes.Length;
            await httpContext.Response.Body.WriteAsync(bytes, httpContext.RequestAborted);
        }
    }
}
