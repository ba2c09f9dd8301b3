using StoryEngine.Core.Images;
using StoryEngine.Core.Resources;
using StoryEngine.Formats.Images;

namespace StoryEngine.Server.Http;

/// <summary>
/// Where a picture is read: under <c>/api/v1</c> for API clients (bearer tokens, API keys) and under
/// <c>/pictures</c> for the web pages (their sign-in cookie, which the API does not take: ADR 21). Each URL carries
/// <c>v</c>, the start of the picture's hash, so a changed picture has a new URL and an unchanged one can be cached
/// for good.
/// </summary>
public static class PictureUrls
{
    public const string WebPrefix = "/pictures";

    /// <summary>How many hex digits of the hash <c>v</c> carries.</summary>
    public const int VersionLength = 16;

    public static string Api(PictureTarget target, string hash) => "/api/v1" + Path(target) + Version(hash);

    public static string Web(PictureTarget target, string hash) => WebPrefix + Path(target) + Version(hash);

    /// <summary>The kind of picture a kind of world data has (<c>IResourceBody.Kind</c>), if it has one.</summary>
    public static PictureKind? KindOf(string resourceKind) =>
        resourceKind switch
        {
            "character" => PictureKind.CharacterAvatar,
            "persona" => PictureKind.PersonaAvatar,
            "world" => PictureKind.WorldCover,
            _ => null,
        };

    public static PictureTarget Target(PictureKind kind, string ownerId, string? parentId, string id) =>
        new(kind, new ResourceScope(ownerId, parentId), id);

    /// <summary>True when the request names the picture's current version (<c>?v=</c>).</summary>
    public static bool IsCurrent(HttpRequest request, string hash) =>
        request.Query["v"] is { Count: 1 } v
        && v[0] is { Length: VersionLength } given
        && hash.StartsWith(given, StringComparison.Ordinal);

    private static string Path(PictureTarget target) =>
        target.Kind switch
        {
            PictureKind.CharacterAvatar => $"/worlds/{target.Scope.ParentId}/characters/{target.Id}/avatar",
            PictureKind.PersonaAvatar => $"/personas/{target.Id}/avatar",
            _ => $"/worlds/{target.Id}/cover",
        };

    private static string Version(string hash) => "?v=" + hash[..VersionLength];
}
