using StoryEngine.Storage.Memory;

namespace StoryEngine.Storage;

/// <summary>
/// The SQL that differs between engines, given by each engine's provider (<see cref="IStorageProvider.Dialect"/>), so
/// that stores never ask which engine they run on: a new engine is a new implementation, not a new branch in every
/// store. Fragments are returned with their leading space where they are appended to a statement.
/// </summary>
public interface ISqlDialect
{
    /// <summary>
    /// Membership in a list parameter, written after the column (<c>turn_id {InList("TurnIds")}</c>). Dapper
    /// sends a list to Npgsql as one array parameter (<c>= ANY(@TurnIds)</c>) but expands it for SQLite (<c>IN</c>).
    /// </summary>
    string InList(string parameter);

    /// <summary>
    /// Appended to a SELECT inside a transaction so that two writers of one row decide one after the other; empty
    /// where the engine has a single writer anyway.
    /// </summary>
    string ForUpdate { get; }

    /// <summary>
    /// Appended to the subquery that picks one row to claim, so that concurrent claimers pass over each other's rows
    /// instead of waiting; empty where the engine has a single writer anyway.
    /// </summary>
    string ForUpdateSkipLocked { get; }

    /// <summary>
    /// Every column of every base table of the live schema, from the engine's own catalog, as rows of
    /// <c>TableName</c>, <c>ColumnName</c> and <c>Type</c> in table and column order.
    /// </summary>
    string SchemaColumns { get; }

    /// <summary>The memory index's statements, whose full-text search differs in whole between engines.</summary>
    IMemoryIndexSql MemoryIndex { get; }

    /// <summary>Knowledge search's statements, scoped and bounded differently on each engine.</summary>
    Knowledge.IKnowledgeIndexSql KnowledgeIndex { get; }
}
