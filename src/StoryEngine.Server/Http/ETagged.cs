using System.Reflection;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;

namespace StoryEngine.Server.Http;

/// <summary>
/// A response with its entity tag (<see cref="ETags"/>): the ETag header, then <typeparamref name="TResult"/>. A
/// conditional one (a read) answers 304 Not Modified with no body instead when If-None-Match names the tag, as
/// Marten.AspNetCore's StreamOne does, so no endpoint sets the header or checks the precondition by hand. OpenAPI sees
/// <typeparamref name="TResult"/>'s metadata, so the operation documents the same responses as without the tag.
/// </summary>
public sealed class ETagged<TResult> : IResult, INestedHttpResult, IEndpointMetadataProvider
    where TResult : IResult, IEndpointMetadataProvider
{
    internal ETagged(string etag, TResult result, bool conditional)
    {
        ETag = etag;
        Result = result;
        Conditional = conditional;
    }

    public string ETag { get; }

    public TResult Result { get; }

    /// <summary>Whether If-None-Match can turn this into a 304.</summary>
    public bool Conditional { get; }

    IResult INestedHttpResult.Result => Result;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.Headers.ETag = ETag;
        return Conditional && ETags.NoneMatch(httpContext.Request, ETag)
            ? TypedResults.StatusCode(StatusCodes.Status304NotModified).ExecuteAsync(httpContext)
            : Result.ExecuteAsync(httpContext);
    }

    static void IEndpointMetadataProvider.PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        TResult.PopulateMetadata(method, builder);
}

/// <summary>Makes <see cref="ETagged{TResult}"/>s.</summary>
public static class ETagged
{
    /// <summary>A representation the client may hold already: 304 when If-None-Match names <paramref
    /// name="etag"/>.</summary>
    public static ETagged<TResult> IfNoneMatch<TResult>(string etag, TResult result)
        where TResult : IResult, IEndpointMetadataProvider => new(etag, result, conditional: true);

    /// <summary>What a write just stored, or a read that is never answered with 304: the tag is always sent.</summary>
    public static ETagged<TResult> Of<TResult>(string etag, TResult result)
        where TResult : IResult, IEndpointMetadataProvider => new(etag, result, conditional: false);
}
