using System.Security.Cryptography;
using Microsoft.Extensions.Caching.Memory;

namespace StoryEngine.Server.Web;

/// <summary>
/// Holds an uploaded card between "show me what is in it" and "save it", so the person does not have to choose the
/// file twice. Kept in memory for a short while, per user, bounded in total size; a preview that has gone (expired,
/// server restarted, another node) asks for the file again (docs/adr/0022-card-import-preview-held-in-memory.md).
/// </summary>
public sealed class CardPreviews : IDisposable
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(15);
    private const long MaxTotalBytes = 200L * 1024 * 1024;
    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = MaxTotalBytes });

    /// <summary>Stores the file and returns the token that names it.</summary>
    public string Hold(string userId, byte[] file)
    {
        var token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        _cache.Set(
            Key(userId, token),
            file,
            new MemoryCacheEntryOptions { Size = Math.Max(1, file.Length), AbsoluteExpirationRelativeToNow = Lifetime }
        );
        return token;
    }

    /// <summary>The held file, or null when the token is unknown, someone else's, or expired.</summary>
    public byte[]? Find(string userId, string? token) =>
        token is { Length: 32 } && _cache.TryGetValue(Key(userId, token), out byte[]? file) ? file : null;

    public void Release(string userId, string token) => _cache.Remove(Key(userId, token));

    private static string Key(string userId, string token) => userId + "/" + token;

    public void Dispose() => _cache.Dispose();
}
