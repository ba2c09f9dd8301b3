using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Net.Http.Headers;

namespace StoryEngine.Server.Http;

/// <summary>
/// Entity tags. A resource's tag is its version (<c>"7"</c>), so If-Match can be checked inside the same
/// UPDATE that writes; a list's tag is a hash of the ids and versions it shows.
/// </summary>
public static class ETags
{
    public static string ForVersion(long version) => $"\"{version.ToString(CultureInfo.InvariantCulture)}\"";

    public static string ForList(IEnumerable<(string Id, long Version)> items, string? nextCursor)
    {
        var text = new StringBuilder();
        foreach (var (id, version) in items)
        {
            text.Append(id).Append(':').Append(version).Append(';');
        }
        text.Append(nextCursor);
        return $"\"l{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..20]}\"";
    }

    /// <summary>A tag for any list of items, from what identifies each item's current state.</summary>
    public static string ForItems(IEnumerable<string> itemStates, string? nextCursor) =>
        ForList(itemStates.Select(state => (state, 0L)), nextCursor);

    /// <summary>True when If-None-Match names <paramref name="etag"/> (or is <c>*</c>): answer 304.</summary>
    public static bool NoneMatch(HttpRequest request, string etag)
    {
        var header = request.Headers.IfNoneMatch;
        if (header.Count == 0)
        {
            return false;
        }
        return EntityTagHeaderValue.TryParseList(header, out var tags)
            && tags.Any(t =>
                t.Equals(EntityTagHeaderValue.Any)
                || t.Compare(new EntityTagHeaderValue(etag), useStrongComparison: false)
            );
    }

    /// <summary>
    /// The version If-Match requires, or null when there is no If-Match (or it is <c>*</c>). A tag that is
    /// not one of ours can never match, so it maps to a version no row has.
    /// </summary>
    public static long? ExpectedVersion(HttpRequest request)
    {
        var header = request.Headers.IfMatch;
        if (
            header.Count == 0
            || !EntityTagHeaderValue.TryParseList(header, out var tags)
            || tags.Any(t => t.Equals(EntityTagHeaderValue.Any))
        )
        {
            return null;
        }
        foreach (var tag in tags)
        {
            if (
                !tag.IsWeak
                && long.TryParse(
                    tag.Tag.AsSpan(1, tag.Tag.Length - 2),
                    NumberStyles.None,
                    CultureInfo.InvariantCulture,
                    out var version
                )
            )
            {
                return version;
            }
        }
        return -1;
    }
}
