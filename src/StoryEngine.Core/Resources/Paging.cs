using System.Buffers.Text;
using System.Text;
using StoryEngine.Core.Errors;

namespace StoryEngine.Core.Resources;

/// <summary>One page of a list plus the opaque cursor of the next page (null on the last page).</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? NextCursor);

/// <summary>What a list endpoint asks the store for. <see cref="AfterId"/> comes from a decoded cursor.</summary>
public sealed record ListQuery(int Limit, string? AfterId, string? Text, IReadOnlyList<string> Tags)
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;

    /// <summary>Builds a query from raw parameters, rejecting what is out of range with a field error.</summary>
    public static ListQuery From(int? limit, string? cursor, string? text, IReadOnlyList<string>? tags)
    {
        var errors = new FieldErrors();
        if (limit is < 1 or > MaxLimit)
        {
            errors.Add("limit", $"limit must be between 1 and {MaxLimit}.");
        }
        string? afterId = null;
        if (!string.IsNullOrEmpty(cursor) && !Cursor.TryDecode(cursor, out afterId))
        {
            errors.Add("cursor", "cursor is not one this server handed out; start again without it.");
        }
        errors.MaxLength("q", text, Limits.Name);
        errors.List("tag", tags, Limits.Tags, Limits.Tag);
        errors.ThrowIfAny();
        return new ListQuery(
            limit ?? DefaultLimit,
            afterId,
            string.IsNullOrWhiteSpace(text) ? null : text.Trim(),
            tags?.Select(t => t.Trim()).ToArray() ?? []
        );
    }
}

/// <summary>Opaque keyset cursors: the last id of a page, base64url-encoded so clients don't build them.</summary>
public static class Cursor
{
    public static string Encode(string lastId) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes("i:" + lastId));

    public static bool TryDecode(string cursor, out string? lastId)
    {
        lastId = null;
        if (cursor.Length > 200)
        {
            return false;
        }
        try
        {
            var text = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor));
            if (!text.StartsWith("i:", StringComparison.Ordinal) || !Guid.TryParse(text.AsSpan(2), out _))
            {
                return false;
            }
            lastId = text[2..];
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
