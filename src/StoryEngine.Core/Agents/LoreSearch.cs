using StoryEngine.Core.Lore;
using StoryEngine.Core.Memory;

namespace StoryEngine.Core.Agents;

/// <summary>One lore entry that matched a search, and how well.</summary>
public sealed record LoreHit(string BookId, LoreEntry Entry, double Score);

/// <summary>
/// Lore looked up by words (the search_lore tool), apart from keyword activation: a model asks in its own words, so an
/// entry scores for each query term found in its keys (most), its name, then its content. Disabled entries are
/// skipped. A world's books hold at most a few thousand entries, which a scan reads in well under a millisecond.
/// </summary>
public static class LoreSearch
{
    public static IReadOnlyList<LoreHit> Search(
        IEnumerable<(string BookId, Lorebook Book)> books,
        string query,
        int limit
    )
    {
        var terms = MemoryText.Terms(query);
        if (terms.Count == 0)
        {
            return [];
        }
        var hits = new List<LoreHit>();
        foreach (var (bookId, book) in books)
        {
            foreach (var entry in book.Entries.Where(e => e.Enabled))
            {
                var score = 0.0;
                foreach (var term in terms)
                {
                    if (entry.Keys.Any(k => k.Contains(term, StringComparison.OrdinalIgnoreCase)))
                    {
                        score += 3;
                    }
                    if (entry.Name.Contains(term, StringComparison.OrdinalIgnoreCase))
                    {
                        score += 2;
                    }
                    if (entry.Content.Contains(term, StringComparison.OrdinalIgnoreCase))
                    {
                        score += 1;
                    }
                }
                if (score > 0)
                {
                    hits.Add(new LoreHit(bookId, entry, score / terms.Count));
                }
            }
        }
        return
        [
            .. hits.OrderByDescending(h => h.Score)
                .ThenBy(h => h.BookId, StringComparer.Ordinal)
                .ThenBy(h => h.Entry.Id)
                .Take(limit),
        ];
    }
}
