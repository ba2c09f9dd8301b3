namespace StoryEngine.Core.Images;

/// <summary>The <c>Images</c> section: how large an uploaded picture may be and how large we keep it.</summary>
public sealed class ImageOptions
{
    public const string Section = "Images";

    /// <summary>The largest upload accepted, in bytes (8 MiB); larger ones are refused with 413.</summary>
    public long MaxUploadBytes { get; set; } = 8 * 1024 * 1024;

    /// <summary>The longest side of a stored picture, in pixels; larger pictures are shrunk to it.</summary>
    public int MaxSide { get; set; } = 512;
}
