namespace StoryEngine.Storage.Memory;

/// <summary>
/// The part of the memory index's bulk write that both engines share (<see cref="IMemoryIndexSql.UpsertAsync"/>).
/// </summary>
public static class MemoryEntrySql
{
    /// <summary>Appended to an insert into <c>memory_entries</c>: a turn indexed again replaces its entry.</summary>
    public const string UpsertConflict = """
        ON CONFLICT (adventure_id, turn_id) DO UPDATE SET number = excluded.number, version = excluded.version,
            text = excluded.text, embedding = excluded.embedding, embedding_model = excluded.embedding_model
        """;
}
