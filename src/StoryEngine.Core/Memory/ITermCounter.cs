namespace StoryEngine.Core.Memory;

/// <summary>
/// Counts a query's words in one scope of a full-text index (an adventure's memories, a world's passages), so
/// <see cref="TermFrequencies"/> can choose the rare words worth searching (docs/adr/0028-bounded-full-text-recall.md).
/// </summary>
public interface ITermCounter
{
    /// <summary>The scope's entry count, its index generation and, per term, how many of its entries contain it,
    /// counted up to <paramref name="limit"/>.</summary>
    Task<TermCounts> CountTermsAsync(
        string scopeId,
        IReadOnlyList<string> terms,
        int limit,
        CancellationToken cancellationToken
    );
}
