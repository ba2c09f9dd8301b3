namespace StoryEngine.Formats.Cards;

/// <summary>Media types of card assets by file extension (V3 asks apps to support png, jpeg and webp, §5).</summary>
public static class MediaTypes
{
    private static readonly Dictionary<string, string> ByExtension = new(StringComparer.OrdinalIgnoreCase)
    {
        [".png"] = "image/png",
        [".jpg"] = "image/jpeg",
        [".jpeg"] = "image/jpeg",
        [".webp"] = "image/webp",
        [".gif"] = "image/gif",
        [".avif"] = "image/avif",
        [".mp3"] = "audio/mpeg",
        [".ogg"] = "audio/ogg",
        [".wav"] = "audio/wav",
        [".mp4"] = "video/mp4",
        [".webm"] = "video/webm",
        [".json"] = "application/json",
        [".txt"] = "text/plain",
    };

    public static string ForPath(string path) =>
        ByExtension.GetValueOrDefault(Path.GetExtension(path), "application/octet-stream");

    public static bool IsCompressed(string mediaType) =>
        mediaType.StartsWith("image/", StringComparison.Ordinal) && mediaType != "image/bmp"
        || mediaType.StartsWith("audio/", StringComparison.Ordinal) && mediaType != "audio/wav"
        || mediaType.StartsWith("video/", StringComparison.Ordinal);
}
