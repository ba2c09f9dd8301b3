using System.Text;

namespace StoryEngine.Core.Knowledge;

/// <summary>
/// Cuts a document into passages for search: never across a heading, at paragraph ends where it can, each at most
/// about <c>size</c> characters (a longer paragraph is cut at sentence ends, a longer sentence at spaces), and each
/// passage after the first of a section begins with the last <c>overlap</c> characters of the one before, from a
/// word's start, so a fact that straddles a cut is whole in one of them. Pure and deterministic.
/// </summary>
public static class DocumentChunker
{
    public static IReadOnlyList<DocumentChunk> Chunk(IReadOnlyList<DocumentSection> sections, int size, int overlap)
    {
        size = Math.Max(100, size);
        overlap = Math.Clamp(overlap, 0, size / 2);
        var chunks = new List<DocumentChunk>();
        foreach (var section in sections)
        {
            var pieces = section
                .Paragraphs.Select(Normalize)
                .Where(p => p.Length > 0)
                .SelectMany(p => Split(p, size - overlap))
                .ToArray();
            var current = new StringBuilder();
            var previous = "";
            foreach (var piece in pieces)
            {
                if (current.Length > 0 && current.Length + 2 + piece.Length > size)
                {
                    previous = current.ToString();
                    chunks.Add(new DocumentChunk(chunks.Count, section.Heading, previous));
                    current.Clear().Append(Tail(previous, overlap));
                }
                if (current.Length > 0)
                {
                    current.Append("\n\n");
                }
                current.Append(piece);
            }
            if (current.Length > 0 && current.ToString() != Tail(previous, overlap))
            {
                chunks.Add(new DocumentChunk(chunks.Count, section.Heading, current.ToString()));
            }
        }
        return chunks;
    }

    /// <summary>Whitespace runs as single spaces, trimmed.</summary>
    public static string Normalize(string text)
    {
        var builder = new StringBuilder(text.Length);
        var space = false;
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                space = builder.Length > 0;
                continue;
            }
            if (space)
            {
                builder.Append(' ');
                space = false;
            }
            builder.Append(c);
        }
        return builder.ToString();
    }

    /// <summary>A paragraph longer than <paramref name="max"/> in pieces: at sentence ends, else at spaces, else
    /// hard.</summary>
    private static IEnumerable<string> Split(string paragraph, int max)
    {
        var rest = paragraph;
        while (rest.Length > max)
        {
            var cut = LastBreak(rest, max, ". ", "! ", "? ");
            if (cut <= 0)
            {
                cut = rest.LastIndexOf(' ', max);
            }
            if (cut <= 0)
            {
                cut = max;
            }
            yield return rest[..cut].Trim();
            rest = rest[cut..].Trim();
        }
        if (rest.Length > 0)
        {
            yield return rest;
        }
    }

    private static int LastBreak(string text, int max, params string[] breaks) =>
        breaks.Max(b =>
        {
            var at = text.LastIndexOf(b, Math.Min(max, text.Length - 1), StringComparison.Ordinal);
            return at < max / 3 ? -1 : at + 1;
        });

    private static string Tail(string text, int overlap)
    {
        if (overlap == 0 || text.Length <= overlap)
        {
            return overlap == 0 ? "" : text;
        }
        var start = text.Length - overlap;
        var space = text.IndexOf(' ', start);
        return space < 0 ? text[start..] : text[(space + 1)..];
    }
}
