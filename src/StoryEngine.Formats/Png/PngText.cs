using System.Text;

namespace StoryEngine.Formats.Png;

/// <summary>A <c>tEXt</c> chunk: a Latin-1 keyword, a NUL, Latin-1 text (PNG spec §4.2.3.1).</summary>
public sealed record PngTextChunk(string Keyword, string Text);

/// <summary>Reads, removes and adds <c>tEXt</c> chunks, the container of character cards in PNGs.</summary>
public static class PngText
{
    public static IEnumerable<(PngChunk Chunk, PngTextChunk Text)> Read(
        ReadOnlyMemory<byte> file,
        IReadOnlyList<PngChunk> chunks
    )
    {
        foreach (var chunk in chunks.Where(c => c.Type == "tEXt"))
        {
            var data = file.Span.Slice(chunk.DataStart, chunk.Length);
            var nul = data.IndexOf((byte)0);
            if (nul <= 0)
            {
                continue; // not a valid tEXt chunk; it cannot be a card, and other readers skip it too
            }
            yield return (
                chunk,
                new PngTextChunk(Encoding.Latin1.GetString(data[..nul]), Encoding.Latin1.GetString(data[(nul + 1)..]))
            );
        }
    }

    /// <summary>The file with the named text chunks removed (keywords compared ignoring case) and <paramref
    /// name="added"/> inserted before IEND.</summary>
    public static byte[] Rewrite(
        ReadOnlySpan<byte> file,
        IReadOnlyList<PngChunk> chunks,
        ICollection<string> removeKeywords,
        IReadOnlyList<PngTextChunk> added
    )
    {
        using var output = new MemoryStream(file.Length + added.Sum(a => a.Text.Length + a.Keyword.Length + 13));
        output.Write(PngChunks.Signature);
        foreach (var chunk in chunks)
        {
            if (chunk.Type == "IEND")
            {
                foreach (var text in added)
                {
                    output.Write(PngChunks.Build("tEXt", Encode(text)));
                }
            }
            if (
                chunk.Type == "tEXt"
                && removeKeywords.Contains(KeywordOf(file, chunk), StringComparer.OrdinalIgnoreCase)
            )
            {
                continue;
            }
            output.Write(file.Slice(chunk.Start, chunk.Size));
        }
        return output.ToArray();
    }

    private static string KeywordOf(ReadOnlySpan<byte> file, PngChunk chunk)
    {
        var data = file.Slice(chunk.DataStart, chunk.Length);
        var nul = data.IndexOf((byte)0);
        return nul <= 0 ? "" : Encoding.Latin1.GetString(data[..nul]);
    }

    private static byte[] Encode(PngTextChunk text)
    {
        if (text.Keyword.Length is 0 or > 79)
        {
            throw new ArgumentException("A tEXt keyword has 1 to 79 characters.", nameof(text));
        }
        var bytes = new byte[text.Keyword.Length + 1 + text.Text.Length];
        Encoding.Latin1.GetBytes(text.Keyword, bytes);
        Encoding.Latin1.GetBytes(text.Text, bytes.AsSpan(text.Keyword.Length + 1));
        return bytes;
    }
}
