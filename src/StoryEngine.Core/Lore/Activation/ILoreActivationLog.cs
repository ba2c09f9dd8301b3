namespace StoryEngine.Core.Lore.Activation;

/// <summary>The lore entries one narration's prompt held: what later turns read back for sticky and cooldown.</summary>
public sealed record LoreActivationRecord(
    string AdventureId,
    string TurnId,
    int Alternative,
    int TurnNumber,
    IReadOnlyList<LoreFiredRef> Entries
);

/// <summary>
/// Per-narration activation records (docs/adr/0015-lore-activation-records.md). Rows are never rewritten except when
/// the same narration is built again; a fork copies its parent's rows for the turns it inherits, and an adventure's
/// removal takes its rows with it.
/// </summary>
public interface ILoreActivationLog
{
    Task SaveAsync(LoreActivationRecord record, CancellationToken cancellationToken);

    /// <summary>Every narration's record for turns numbered from <paramref name="fromTurnNumber"/> to below <paramref
    /// name="beforeTurnNumber"/>.</summary>
    Task<IReadOnlyList<LoreActivationRecord>> ListAsync(
        string adventureId,
        int fromTurnNumber,
        int beforeTurnNumber,
        CancellationToken cancellationToken
    );
}
