using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace StoryEngine.Core.Lore;

/// <summary>
/// One lorebook entry: text the narrator is given when its keys appear in the story. The fields are those of a
/// card's <c>character_book</c> entry and SillyTavern World Info (../shared/specs/character-cards.md §4, §6); what
/// neither models here stays in <see cref="Extensions"/> by its source name, so exports write it back.
/// </summary>
public sealed record LoreEntry
{
    /// <summary>Stable within its book: entry routes, exports (<c>uid</c>, <c>id</c>) and activation reports use
    /// it.</summary>
    public int Id { get; init; }

    /// <summary>A label for people (card <c>name</c>, KoboldAI <c>title</c>, NovelAI <c>displayName</c>).</summary>
    public string Name { get; init; } = "";

    /// <summary>A note for people, never sent to the model (SillyTavern shows it as the entry's title).</summary>
    public string Comment { get; init; } = "";

    public string Content { get; init; } = "";

    /// <summary>Any of these in the scanned text activates the entry; <c>/pattern/flags</c> is a regex (<see
    /// cref="LoreKeys"/>).</summary>
    public IReadOnlyList<string> Keys { get; init; } = [];

    /// <summary>Checked with <see cref="SelectiveLogic"/> after a primary key matched, when <see cref="Selective"/> is
    /// true.</summary>
    public IReadOnlyList<string> SecondaryKeys { get; init; } = [];

    public bool Selective { get; init; } = true;

    public SelectiveLogic SelectiveLogic { get; init; } = SelectiveLogic.AndAny;

    /// <summary>Always included (subject to the budget), whatever the keys.</summary>
    public bool Constant { get; init; }

    /// <summary>False means the entry never activates, whatever else is set.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>Null leaves it to the book or the engine.</summary>
    public bool? CaseSensitive { get; init; }

    /// <summary>Null leaves it to the book or the engine.</summary>
    public bool? MatchWholeWords { get; init; }

    /// <summary>Chance of activation in percent when the keys match.</summary>
    public int Probability { get; init; } = 100;

    /// <summary>Lower values are inserted earlier (higher in the prompt).</summary>
    public int InsertionOrder { get; init; } = 100;

    /// <summary>When over budget, lower values are dropped first; null falls back to <see
    /// cref="InsertionOrder"/>.</summary>
    public int? Priority { get; init; }

    /// <summary>How many recent turns to scan for this entry's keys; null uses the book's.</summary>
    public int? ScanDepth { get; init; }

    /// <summary>Turns the entry stays active after it fired.</summary>
    public int? Sticky { get; init; }

    /// <summary>Turns the entry cannot fire again after it was active.</summary>
    public int? Cooldown { get; init; }

    /// <summary>Turns the story must have before the entry can fire.</summary>
    public int? Delay { get; init; }

    /// <summary>Other entries' content cannot activate this one.</summary>
    public bool ExcludeRecursion { get; init; }

    /// <summary>This entry's content does not activate others.</summary>
    public bool PreventRecursion { get; init; }

    /// <summary>0: activates on the first pass; N: only from recursion level N on (SillyTavern's <c>true</c> is
    /// 1).</summary>
    public int DelayUntilRecursion { get; init; }

    /// <summary>
    /// Also fires by meaning: when the player's move is similar enough to the entry's content under the embedding
    /// model (Lore:VectorizedSimilarity), even if no key is typed. SillyTavern's field name (issue 20).
    /// </summary>
    public bool Vectorized { get; init; }

    /// <summary>Fields of the source format not modelled here, by their source (card extension) names.</summary>
    public JsonObject Extensions { get; init; } = [];

    /// <summary>How messages name the entry: its id and whichever label it has.</summary>
    [JsonIgnore]
    public string Label
    {
        get
        {
            var title = Name.Length > 0 ? Name : Comment;
            return title.Length > 0 ? $"entry {Id} (\"{Truncate(title)}\")" : $"entry {Id}";
        }
    }

    private static string Truncate(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
