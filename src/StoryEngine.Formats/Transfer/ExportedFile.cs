namespace StoryEngine.Formats.Transfer;

/// <summary>An export ready to hand over: bytes, media type and a file name that is safe on every system.</summary>
public sealed record ExportedFile(byte[] Content, string MediaType, string FileName)
{
    /// <summary><paramref name="name"/> made into a file name: no path separators, reserved or control characters, at
    /// most 100 characters.</summary>
    public static string SafeName(string name, string extension, string fallback)
    {
        var invalid = Path.GetInvalidFileNameChars().Concat(['/', '\\', ':', '*', '?', '"', '<', '>', '|']).ToHashSet();
        var cleaned = new string(name.Select(c => invalid.Contains(c) || char.IsControl(c) ? '_' : c).ToArray())
            .Trim()
            .Trim('.');
        if (cleaned.Length > 100)
        {
            cleaned = cleaned[..100];
        }
        return (cleaned.Length == 0 ? fallback : cleaned) + extension;
    }
}
