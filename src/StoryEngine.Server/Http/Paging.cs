using Microsoft.AspNetCore.Http.Extensions;
using StoryEngine.Core.Resources;

namespace StoryEngine.Server.Http;

/// <summary>A page of a list as the API returns it.</summary>
public sealed record PageResponse<T>(IReadOnlyList<T> Items, string? NextCursor);

public static class Paging
{
    /// <summary>Adds the RFC 8288 <c>Link: &lt;…&gt;; rel="next"</c> header: the same query with the next
    /// cursor.</summary>
    public static void AddNextLink(HttpContext context, string? nextCursor)
    {
        if (nextCursor is null)
        {
            return;
        }
        var query = new QueryBuilder();
        foreach (var (key, values) in context.Request.Query)
        {
            if (!string.Equals(key, "cursor", StringComparison.OrdinalIgnoreCase))
            {
                foreach (var value in values)
                {
                    query.Add(key, value ?? "");
                }
            }
        }
        query.Add("cursor", nextCursor);
        context.Response.Headers.Link = $"<{context.Request.PathBase}{context.Request.Path}{query}>; rel=\"next\"";
    }
}
