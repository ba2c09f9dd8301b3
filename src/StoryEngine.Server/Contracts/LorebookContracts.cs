using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using StoryEngine.Core.Lore;
using StoryEngine.Core.Resources;

namespace StoryEngine.Server.Contracts;

/// <summary>An entry as a client sends it; missing fields take their defaults, a missing id the next free
/// one.</summary>
public sealed record LoreEntryRequest(
    int? Id = null,
    string? Name = null,
    string? Comment = null,
    string? Content = null,
    IReadOnlyList<string>? Keys = null,
    IReadOnlyList<string>? SecondaryKeys = null,
    bool? Selective = null,
    SelectiveLogic? SelectiveLogic = null,
    bool? Constant = null,
    bool? Enabled = null,
    bool? CaseSensitive = null,
    bool? MatchWholeWords = null,
    int? Probability = null,
    int? InsertionOrder = null,
    int? Priority = null,
    int? ScanDepth = null,
    int? Sticky = null,
    int? Cooldown = null,
    int? Delay = null,
    bool? ExcludeRecursion = null,
    bool? PreventRecursion = null,
    int? DelayUntilRecursion = null,
    JsonObject? Extensions = null,
    bool? Vectorized = null
)
{
    public LoreEntry ToEntry(int id) =>
        new()
        {
            Id = id,
            Name = Name ?? "",
            Comment = Comment ?? "",
            Content = Content ?? "",
            Keys = Keys ?? [],
            SecondaryKeys = SecondaryKeys ?? [],
            Selective = Selective ?? true,
            SelectiveLogic = SelectiveLogic ?? Core.Lore.SelectiveLogic.AndAny,
            Constant = Constant ?? false,
            Enabled = Enabled ?? true,
            CaseSensitive = CaseSensitive,
            MatchWholeWords = MatchWholeWords,
            Probability = Probability ?? 100,
            InsertionOrder = InsertionOrder ?? 100,
            Priority = Priority,
            ScanDepth = ScanDepth,
            Sticky = Sticky,
            Cooldown = Cooldown,
            Delay = Delay,
            ExcludeRecursion = ExcludeRecursion ?? false,
            PreventRecursion = PreventRecursion ?? false,
            DelayUntilRecursion = DelayUntilRecursion ?? 0,
            Extensions = Extensions ?? [],
            Vectorized = Vectorized ?? false,
        };

    public static LoreEntryRequest From(LoreEntry e) =>
        new(
            e.Id,
            e.Name,
            e.Comment,
            e.Content,
            e.Keys,
            e.SecondaryKeys,
            e.Selective,
            e.SelectiveLogic,
            e.Constant,
            e.Enabled,
            e.CaseSensitive,
            e.MatchWholeWords,
            e.Probability,
            e.InsertionOrder,
            e.Priority,
            e.ScanDepth,
            e.Sticky,
            e.Cooldown,
            e.Delay,
            e.ExcludeRecursion,
            e.PreventRecursion,
            e.DelayUntilRecursion,
            (JsonObject)e.Extensions.DeepClone(),
            e.Vectorized
        );
}

public sealed record LorebookRequest(
    string? Name,
    string? Description = null,
    int? ScanDepth = null,
    int? TokenBudget = null,
    bool? RecursiveScanning = null,
    IReadOnlyList<string>? Tags = null,
    IReadOnlyList<LoreEntryRequest>? Entries = null,
    JsonObject? Extensions = null
) : IResourceRequest<LorebookRequest, Lorebook>
{
    public Lorebook ToBody()
    {
        var entries = (Entries ?? []).ToArray();
        if (Array.IndexOf(entries, null) is var missing and >= 0)
        {
            throw Core.Errors.ValidationFailedException.For(
                $"entries[{missing}]",
                "must be an entry object, not null."
            );
        }
        // Entries without an id get the next free ones, after every id the request names, in the order sent.
        var next = entries.Select(e => e.Id ?? -1).DefaultIfEmpty(-1).Max() + 1;
        return new Lorebook
        {
            Name = Name ?? "",
            Description = Description ?? "",
            ScanDepth = ScanDepth,
            TokenBudget = TokenBudget,
            RecursiveScanning = RecursiveScanning,
            Tags = Tags ?? [],
            Entries = entries.Select(e => e.ToEntry(e.Id ?? next++)).ToArray(),
            Extensions = Extensions ?? [],
        };
    }

    public static LorebookRequest FromBody(Lorebook b) =>
        new(
            b.Name,
            b.Description,
            b.ScanDepth,
            b.TokenBudget,
            b.RecursiveScanning,
            b.Tags,
            b.Entries.Select(LoreEntryRequest.From).ToArray(),
            (JsonObject)b.Extensions.DeepClone()
        );
}

public sealed record LoreEntryResponse(
    int Id,
    string Name,
    string Comment,
    string Content,
    IReadOnlyList<string> Keys,
    IReadOnlyList<string> SecondaryKeys,
    bool Selective,
    SelectiveLogic SelectiveLogic,
    bool Constant,
    bool Enabled,
    bool? CaseSensitive,
    bool? MatchWholeWords,
    int Probability,
    int InsertionOrder,
    int? Priority,
    int? ScanDepth,
    int? Sticky,
    int? Cooldown,
    int? Delay,
    bool ExcludeRecursion,
    bool PreventRecursion,
    int DelayUntilRecursion,
    JsonObject Extensions,
    bool Vectorized
)
{
    public static LoreEntryResponse From(LoreEntry e) =>
        new(
            e.Id,
            e.Name,
            e.Comment,
            e.Content,
            e.Keys,
            e.SecondaryKeys,
            e.Selective,
            e.SelectiveLogic,
            e.Constant,
            e.Enabled,
            e.CaseSensitive,
            e.MatchWholeWords,
            e.Probability,
            e.InsertionOrder,
            e.Priority,
            e.ScanDepth,
            e.Sticky,
            e.Cooldown,
            e.Delay,
            e.ExcludeRecursion,
            e.PreventRecursion,
            e.DelayUntilRecursion,
            e.Extensions,
            e.Vectorized
        );
}

/// <summary>A lorebook: a world's (<c>worldId</c>) or a character's own (<c>characterId</c>, its id is the
/// character's).</summary>
public sealed record LorebookResponse(
    string Id,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? WorldId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? CharacterId,
    string Name,
    string Description,
    int? ScanDepth,
    int? TokenBudget,
    bool? RecursiveScanning,
    IReadOnlyList<string> Tags,
    IReadOnlyList<LoreEntryResponse> Entries,
    JsonObject Extensions,
    long Version,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? DeletedAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? PurgeAt
) : IResourceResponse<LorebookResponse, Lorebook>
{
    public static LorebookResponse From(StoredResource<Lorebook> r) => Create(r, r.ParentId, null);

    public static LorebookResponse ForCharacter(StoredResource<Lorebook> r) => Create(r, null, r.ParentId);

    private static LorebookResponse Create(StoredResource<Lorebook> r, string? worldId, string? characterId) =>
        new(
            r.Id,
            worldId,
            characterId,
            r.Body.Name,
            r.Body.Description,
            r.Body.ScanDepth,
            r.Body.TokenBudget,
            r.Body.RecursiveScanning,
            r.Body.Tags,
            r.Body.Entries.Select(LoreEntryResponse.From).ToArray(),
            r.Body.Extensions,
            r.Version,
            r.CreatedAt,
            r.UpdatedAt,
            r.DeletedAt,
            Lifecycle.PurgeAt(r)
        );
}

/// <summary>The answer to a card import: the new character, its own lorebook if the card had one, and notes on the
/// reading.</summary>
public sealed record ImportedCharacterResponse(
    CharacterResponse Character,
    LorebookResponse? Lorebook,
    string Spec,
    IReadOnlyList<string> Warnings
);
