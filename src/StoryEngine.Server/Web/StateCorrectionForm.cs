using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using StoryEngine.Core.Errors;
using StoryEngine.Core.State;

namespace StoryEngine.Server.Web;

/// <summary>
/// The world state as a form a person can correct without JavaScript: one fieldset per character and per quest,
/// lists one item per line, feelings as "Name: attitude" lines, a box to remove each, and one new character and quest.
/// <see cref="ToState"/> turns the posted form back into a whole <see cref="WorldState"/> for
/// <see cref="WorldStates.CorrectAsync"/>, which checks it as it checks the API's corrections. Text properties are
/// nullable because model binding turns an empty field into null.
/// </summary>
public sealed class StateCorrectionForm
{
    public string? TimeOfDay { get; set; }

    public List<CharacterFields> Characters { get; set; } = [];

    public List<QuestFields> Quests { get; set; } = [];

    public CharacterFields NewCharacter { get; set; } = new();

    public QuestFields NewQuest { get; set; } = new() { Status = "active" };

    /// <summary>The fingerprint of the state the form was filled from (<see cref="Fingerprint"/>), to refuse a save
    /// over a newer state.</summary>
    public string? Seen { get; set; }

    public sealed class CharacterFields
    {
        public string? Name { get; set; }

        public string? Location { get; set; }

        public string? Health { get; set; }

        public string? Conditions { get; set; }

        public string? Inventory { get; set; }

        public string? Relationships { get; set; }

        public bool Remove { get; set; }
    }

    public sealed class QuestFields
    {
        public string? Name { get; set; }

        public string? Status { get; set; } = "active";

        public string? Notes { get; set; }

        public bool Remove { get; set; }
    }

    public static StateCorrectionForm From(WorldState state) =>
        new()
        {
            TimeOfDay = state.TimeOfDay,
            Characters = state
                .CharacterMap.OrderBy(p => p.Key, StringComparer.CurrentCulture)
                .Select(p => new CharacterFields
                {
                    Name = p.Key,
                    Location = p.Value.Location,
                    Health = p.Value.Health,
                    Conditions = Lines(p.Value.Conditions ?? []),
                    Inventory = Lines(p.Value.Inventory ?? []),
                    Relationships = Lines(
                        (p.Value.Relationships ?? new Dictionary<string, string>()).Select(r => $"{r.Key}: {r.Value}")
                    ),
                })
                .ToList(),
            Quests = state
                .QuestMap.OrderBy(p => p.Key, StringComparer.CurrentCulture)
                .Select(p => new QuestFields
                {
                    Name = p.Key,
                    Status = p.Value.Status,
                    Notes = p.Value.Notes,
                })
                .ToList(),
            Seen = Fingerprint(state),
        };

    /// <summary>The corrected state. A feelings line without a colon is refused here, naming the line; the rest is
    /// checked by <see cref="StateRules"/>.</summary>
    public WorldState ToState()
    {
        var errors = new List<string>();
        var characters = new Dictionary<string, CharacterState>(StringComparer.Ordinal);
        foreach (var c in Characters.Where(c => !c.Remove).Append(NewCharacter))
        {
            var name = (c.Name ?? "").Trim(); // model binding makes an empty field null
            if (name.Length == 0)
            {
                continue; // the empty "add a character" fieldset
            }
            if (characters.Keys.Any(k => string.Equals(k, name, StringComparison.OrdinalIgnoreCase)))
            {
                errors.Add($"characters: '{name}' is listed twice.");
                continue;
            }
            characters[name] = new CharacterState(
                Blank(c.Location),
                Blank(c.Health),
                ListOrNull(c.Conditions),
                ListOrNull(c.Inventory),
                Feelings(name, c.Relationships, errors)
            );
        }
        var quests = new Dictionary<string, QuestState>(StringComparer.Ordinal);
        foreach (var q in Quests.Where(q => !q.Remove).Append(NewQuest))
        {
            var name = (q.Name ?? "").Trim();
            if (name.Length == 0)
            {
                continue;
            }
            if (!quests.TryAdd(name, new QuestState(q.Status ?? "", Blank(q.Notes))))
            {
                errors.Add($"quests: '{name}' is listed twice.");
            }
        }
        if (errors.Count > 0)
        {
            throw new ValidationFailedException(new Dictionary<string, string[]> { ["state"] = errors.ToArray() });
        }
        return new WorldState(
            Blank(TimeOfDay),
            characters.Count == 0 ? null : characters,
            quests.Count == 0 ? null : quests
        );
    }

    /// <summary>A short hash of the state's JSON: equal states, equal fingerprints.</summary>
    public static string Fingerprint(WorldState state) =>
        Convert.ToHexString(
            SHA256.HashData(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(state.Normalized(), StateJson.Strict)))
        )[..16];

    private static Dictionary<string, string>? Feelings(string name, string? text, List<string> errors)
    {
        var feelings = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in SplitLines(text))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                errors.Add(
                    $"characters.{name}.relationships: write each feeling as 'Name: how they feel' (got "
                        + $"'{line}')."
                );
                continue;
            }
            feelings[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }
        return feelings.Count == 0 ? null : feelings;
    }

    private static string Lines(IEnumerable<string> items) => string.Join("\n", items);

    private static IReadOnlyList<string>? ListOrNull(string? text) =>
        SplitLines(text) is { Length: > 0 } items ? items : null;

    private static string[] SplitLines(string? text) =>
        (text ?? "").Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
