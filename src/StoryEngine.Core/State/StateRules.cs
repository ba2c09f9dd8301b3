namespace StoryEngine.Core.State;

/// <summary>
/// Checks a reported change against the current state and the cast before anything is applied (issue 5: "never
/// applied half-way"), and applies changes. Applying is lenient on purpose: a replay after an undo may meet a change
/// whose premise is gone (an item already dropped), and a projection must never fail.
/// </summary>
public static class StateRules
{
    public const int MaxName = 100;
    public const int MaxText = 500;
    public const int MaxItems = 100;
    public static readonly IReadOnlyList<string> QuestStatuses = ["active", "completed", "failed"];

    /// <summary>Why the change cannot be applied to <paramref name="state"/>; empty when it can.</summary>
    public static IReadOnlyList<string> Validate(StateChange change, WorldState state, IReadOnlyCollection<string> cast)
    {
        var errors = new List<string>();
        Text(errors, "timeOfDay", change.TimeOfDay, MaxName);
        var known = new HashSet<string>(state.CharacterMap.Keys.Concat(cast), StringComparer.OrdinalIgnoreCase);
        foreach (var name in change.NewCharacters ?? [])
        {
            Name(errors, "newCharacters", name);
            known.Add(name);
        }
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var c in change.Characters ?? [])
        {
            Name(errors, "characters.name", c.Name);
            if (!known.Contains(c.Name))
            {
                errors.Add(
                    $"characters: '{c.Name}' is not a known character; name them in newCharacters if they "
                        + "just appeared."
                );
            }
            if (!seen.Add(c.Name))
            {
                errors.Add($"characters: '{c.Name}' is listed twice.");
            }
            Text(errors, "characters.location", c.Location, MaxText);
            Text(errors, "characters.health", c.Health, MaxText);
            var current = state.KeyOf(c.Name) is { } key ? state.CharacterMap[key] : new CharacterState();
            Removals(errors, c.Name, "removeConditions", c.RemoveConditions, current.Conditions, c.AddConditions);
            Removals(errors, c.Name, "removeItems", c.RemoveItems, current.Inventory, c.AddItems);
            foreach (var list in new[] { c.AddConditions, c.AddItems })
            {
                foreach (var value in list ?? [])
                {
                    Text(errors, "characters.add", value, MaxName, required: true);
                }
            }
            foreach (var r in c.Relationships ?? [])
            {
                if (!known.Contains(r.With) || string.Equals(r.With, c.Name, StringComparison.OrdinalIgnoreCase))
                {
                    errors.Add(
                        $"characters.relationships: '{c.Name}' cannot have a relationship with '{r.With}', "
                            + "who is not another known character."
                    );
                }
                Text(errors, "characters.relationships.attitude", r.Attitude, MaxText, required: true);
            }
        }
        foreach (var q in change.Quests ?? [])
        {
            Name(errors, "quests.name", q.Name);
            Status(errors, q.Status);
            Text(errors, "quests.notes", q.Notes, MaxText);
        }
        return errors;
    }

    /// <summary>Checks a whole state (a player's correction).</summary>
    public static IReadOnlyList<string> Validate(WorldState state)
    {
        var errors = new List<string>();
        Text(errors, "timeOfDay", state.TimeOfDay, MaxName);
        Count(errors, "characters", state.CharacterMap.Count);
        Count(errors, "quests", state.QuestMap.Count);
        foreach (var (name, c) in state.CharacterMap)
        {
            Name(errors, "characters", name);
            Text(errors, $"characters.{name}.location", c.Location, MaxText);
            Text(errors, $"characters.{name}.health", c.Health, MaxText);
            foreach (var (field, list) in new[] { ("conditions", c.Conditions), ("inventory", c.Inventory) })
            {
                Count(errors, $"characters.{name}.{field}", list?.Count ?? 0);
                foreach (var value in list ?? [])
                {
                    Text(errors, $"characters.{name}.{field}", value, MaxName, required: true);
                }
            }
            foreach (var (other, attitude) in c.Relationships ?? new Dictionary<string, string>())
            {
                if (state.KeyOf(other) is null || string.Equals(other, name, StringComparison.OrdinalIgnoreCase))
                {
                    errors.Add($"characters.{name}.relationships: '{other}' is not another character in this state.");
                }
                Text(errors, $"characters.{name}.relationships.{other}", attitude, MaxText, required: true);
            }
        }
        foreach (var (name, q) in state.QuestMap)
        {
            Name(errors, "quests", name);
            Status(errors, q.Status);
            Text(errors, $"quests.{name}.notes", q.Notes, MaxText);
        }
        return errors;
    }

    public static WorldState Apply(WorldState state, StateChange change)
    {
        var characters = new Dictionary<string, CharacterState>(state.CharacterMap, StringComparer.Ordinal);
        foreach (var name in change.NewCharacters ?? [])
        {
            if (
                state.KeyOf(name) is null
                && !characters.Keys.Any(k => string.Equals(k, name, StringComparison.OrdinalIgnoreCase))
            )
            {
                characters[name] = new CharacterState();
            }
        }
        foreach (var c in change.Characters ?? [])
        {
            var key = characters.Keys.FirstOrDefault(k => string.Equals(k, c.Name, StringComparison.OrdinalIgnoreCase))
                ?? c.Name;
            var current = characters.GetValueOrDefault(key) ?? new CharacterState();
            var relationships = new Dictionary<string, string>(
                current.Relationships ?? new Dictionary<string, string>(),
                StringComparer.Ordinal
            );
            foreach (var r in c.Relationships ?? [])
            {
                relationships[
                    characters.Keys.FirstOrDefault(k => string.Equals(k, r.With, StringComparison.OrdinalIgnoreCase))
                        ?? r.With
                ] = r.Attitude;
            }
            characters[key] = current with
            {
                Location = c.Location ?? current.Location,
                Health = c.Health ?? current.Health,
                Conditions = Merge(current.Conditions, c.AddConditions, c.RemoveConditions),
                Inventory = Merge(current.Inventory, c.AddItems, c.RemoveItems),
                Relationships = relationships.Count == 0 ? null : relationships,
            };
        }
        var quests = new Dictionary<string, QuestState>(state.QuestMap, StringComparer.Ordinal);
        foreach (var q in change.Quests ?? [])
        {
            var key = quests.Keys.FirstOrDefault(k => string.Equals(k, q.Name, StringComparison.OrdinalIgnoreCase))
                ?? q.Name;
            quests[key] = new QuestState(q.Status, q.Notes ?? quests.GetValueOrDefault(key)?.Notes);
        }
        return new WorldState(
            change.TimeOfDay ?? state.TimeOfDay,
            characters.Count == 0 ? null : characters,
            quests.Count == 0 ? null : quests
        );
    }

    private static IReadOnlyList<string>? Merge(
        IReadOnlyList<string>? current,
        IReadOnlyList<string>? add,
        IReadOnlyList<string>? remove
    )
    {
        var list = (current ?? []).ToList();
        foreach (var r in remove ?? [])
        {
            var at = list.FindIndex(x => string.Equals(x, r, StringComparison.OrdinalIgnoreCase));
            if (at >= 0)
            {
                list.RemoveAt(at);
            }
        }
        // A list is a set (ignoring case): applying the same change again, as a repeated extraction does, adds
        // nothing (issue 17: a condition appeared six times).
        foreach (var a in add ?? [])
        {
            if (!list.Contains(a, StringComparer.OrdinalIgnoreCase))
            {
                list.Add(a);
            }
        }
        return list.Count == 0 ? null : list;
    }

    private static void Removals(
        List<string> errors,
        string name,
        string field,
        IReadOnlyList<string>? remove,
        IReadOnlyList<string>? current,
        IReadOnlyList<string>? added
    )
    {
        foreach (var r in remove ?? [])
        {
            if (!(current ?? []).Concat(added ?? []).Contains(r, StringComparer.OrdinalIgnoreCase))
            {
                errors.Add($"characters.{field}: '{name}' does not have '{r}'.");
            }
        }
    }

    private static void Name(List<string> errors, string field, string? name) =>
        Text(errors, field, name, MaxName, required: true);

    private static void Status(List<string> errors, string status)
    {
        if (!QuestStatuses.Contains(status))
        {
            errors.Add($"quests.status: '{status}' is not one of {string.Join(", ", QuestStatuses)}.");
        }
    }

    private static void Count(List<string> errors, string field, int count)
    {
        if (count > MaxItems)
        {
            errors.Add($"{field}: at most {MaxItems} entries (got {count}).");
        }
    }

    private static void Text(List<string> errors, string field, string? value, int max, bool required = false)
    {
        if (value is null ? required : required && string.IsNullOrWhiteSpace(value))
        {
            errors.Add($"{field}: a non-empty text is required.");
        }
        else if (value is not null && value.Length > max)
        {
            errors.Add($"{field}: at most {max} characters (got {value.Length}).");
        }
    }
}
