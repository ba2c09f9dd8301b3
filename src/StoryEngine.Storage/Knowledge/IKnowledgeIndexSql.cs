using StoryEngine.Core.Memory;

namespace StoryEngine.Storage.Knowledge;

/// <summary>
/// What knowledge search does differently on each engine (migration 0022, docs/adr/0060-bounded-knowledge-search.md):
/// the world is part of the full-text match, and only a bounded number of the newest matches is ranked, as memory
/// recall does (docs/adr/0028-bounded-full-text-recall.md). Terms are letters and digits only
/// (<see cref="MemoryText.Terms"/>), so they cannot break out of either query syntax.
/// </summary>
public interface IKnowledgeIndexSql
{
    /// <summary>
    /// The world's best passages of live documents among the <c>@Ranked</c> newest matches, best first: parameters
    /// <c>@OwnerId</c>, <c>@WorldId</c>, <c>@Ranked</c>, <c>@Limit</c> and those of <see cref="Match"/>; columns
    /// <c>ChunkId</c> and <c>Score</c> (higher is better).
    /// </summary>
    string Search { get; }

    /// <summary>The parameters naming the words of <see cref="Search"/>: the matching words find passages, the weighed
    /// ones add to their scores.</summary>
    IReadOnlyDictionary<string, object> Match(string worldId, TextQuery query);

    /// <summary>A statement that selects up to <c>@Cap</c> of the world's passages matching one term (parameters
    /// <c>@WorldId</c> and the one named <paramref name="parameter"/>), and that parameter's value.</summary>
    (string Sql, object Value) MatchTerm(string worldId, string term, string parameter);
}
