using System.Data.Common;
using StoryEngine.Core.Memory;

namespace StoryEngine.Storage.Memory;

/// <summary>
/// What the memory index does differently on each engine (docs/adr/0028-bounded-full-text-recall.md): how the full-text
/// match is scoped to one adventure and ranked, and how entries are written in bulk. <see cref="MemoryStore"/> runs
/// these; each engine's dialect gives its own (<see cref="ISqlDialect.MemoryIndex"/>). Terms are letters and digits
/// only (<see cref="MemoryText.Terms"/>), so they cannot break out of either query syntax.
/// </summary>
public interface IMemoryIndexSql
{
    /// <summary>
    /// The adventure's scope in the full-text index; null while nothing of it is indexed, so nothing can match.
    /// </summary>
    Task<long?> ScopeAsync(DbConnection connection, string adventureId, CancellationToken cancellationToken);

    /// <summary>
    /// The adventure's best matches as rows of <c>turn_id</c>, <c>number</c> and <c>score</c>, and the parameters
    /// of that statement (<c>@AdventureId</c> among them).
    /// </summary>
    MemorySql Search(long scope, string adventureId, TextQuery query, int limit, int ranked);

    /// <summary>
    /// A statement that selects up to <c>@Cap</c> of the adventure's entries matching one term, given in the parameter
    /// named <paramref name="parameter"/>, and the value that parameter takes.
    /// </summary>
    MemorySql MatchTerm(long scope, string term, string parameter);

    /// <summary>Inserts or replaces the entries (by adventure and turn) inside the caller's transaction.</summary>
    Task UpsertAsync(
        DbConnection connection,
        DbTransaction transaction,
        IReadOnlyList<MemoryEntry> upserts,
        CancellationToken cancellationToken
    );
}

/// <summary>A statement and its parameters: an object for a whole statement, a value for a single parameter.</summary>
public sealed record MemorySql(string Sql, object Parameters);
