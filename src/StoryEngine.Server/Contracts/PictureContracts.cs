namespace StoryEngine.Server.Contracts;

/// <summary>A representation that shows a picture's URL (<c>avatarUrl</c>, <c>coverUrl</c>); null when there is
/// none.</summary>
public interface IPictured<out TSelf>
{
    TSelf WithPictureUrl(string? url);
}

/// <summary>What a picture upload stored: where to read it, and what it became (re-encoded, shrunk).</summary>
public sealed record PictureResponse(string Url, string MediaType, int Width, int Height, long Bytes, string Etag);
