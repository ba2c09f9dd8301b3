using System.Text;
using StoryEngine.Core.Narration;

namespace StoryEngine.Core.State;

/// <summary>One line of the world state as the narrator reads it, keyed by what it is about.</summary>
/// <param name="Key"><c>time</c>, <c>character:NAME</c> or <c>quest:NAME</c>.</param>
public sealed record StateLine(string Key, string Text)
{
    public bool IsQuest => Key.StartsWith(QuestPrefix, StringComparison.Ordinal);

    internal const string QuestPrefix = "quest:";
}

/// <summary>
/// The world state as the narrator reads it, in the volatile block: short lines, sorted so the text is stable. A turn
/// sends only the lines that differ from what the kept transcript already showed (<see cref="Changes"/>), because
/// each turn's volatile block stays in later prompts with its turn.
/// </summary>
public static class StatePrompt
{
    private const string FullHeading = "# World state (what is true now; keep the story consistent with it)";
    private const string ChangesHeading =
        "# World state changes (these lines replace what earlier turns said about " + "the same thing)";

    /// <summary>The whole state, for a prompt whose transcript shows none of it.</summary>
    public static string Render(WorldState? state) => Changes(state, _ => null).Text;

    /// <summary>
    /// The lines of <paramref name="state"/> that differ from the newest line the transcript shows for the same key
    /// (<paramref name="shown"/>), plus a "no longer tracked" line for each key shown before and gone now.
    /// </summary>
    /// <returns>The section's text (empty when nothing changed) and the lines it holds, by key.</returns>
    public static (string Text, IReadOnlyDictionary<string, string> Lines) Changes(
        WorldState? state,
        Func<string, string?> shown,
        IEnumerable<string>? keysShown = null
    )
    {
        var current = Lines(state);
        var currentKeys = current.Select(l => l.Key).ToHashSet(StringComparer.Ordinal);
        var changed = current.Where(l => shown(l.Key) != l.Text).ToList();
        var anyShown = false;
        foreach (var key in (keysShown ?? []).Order(StringComparer.Ordinal))
        {
            anyShown = true;
            var gone = Gone(key);
            if (!currentKeys.Contains(key) && shown(key) != gone.Text)
            {
                changed.Add(gone);
            }
        }
        if (changed.Count == 0)
        {
            return ("", new Dictionary<string, string>());
        }
        var text = new StringBuilder(anyShown ? ChangesHeading : FullHeading);
        var inQuests = false;
        foreach (var line in changed.OrderBy(l => l.IsQuest).ThenBy(l => l.Key == "time" ? 0 : 1))
        {
            if (line.IsQuest && !inQuests)
            {
                text.Append("\nQuests:");
                inQuests = true;
            }
            text.Append('\n').Append(line.Text);
        }
        return (text.ToString(), changed.ToDictionary(l => l.Key, l => l.Text, StringComparer.Ordinal));
    }

    /// <summary>Every line of the state in prompt order: time of day, characters by name, quests by name.</summary>
    public static IReadOnlyList<StateLine> Lines(WorldState? state)
    {
        if (state is null || state.IsEmpty)
        {
            return [];
        }
        var lines = new List<StateLine>();
        if (state.TimeOfDay is { } time)
        {
            lines.Add(new StateLine("time", "Time of day: " + Clean(time)));
        }
        foreach (var (name, c) in state.CharacterMap.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            var parts = new List<string>();
            if (c.Location is { } location)
            {
                parts.Add("at " + Clean(location));
            }
            if (c.Health is { } health)
            {
                parts.Add("health: " + Clean(health));
            }
            if (c.Conditions is { Count: > 0 } conditions)
            {
                parts.Add("conditions: " + string.Join(", ", conditions.Select(Clean)));
            }
            if (c.Inventory is { Count: > 0 } inventory)
            {
                parts.Add("carries: " + string.Join(", ", inventory.Select(Clean)));
            }
            foreach (
                var (other, attitude) in (c.Relationships ?? new Dictionary<string, string>()).OrderBy(
                    p => p.Key,
                    StringComparer.Ordinal
                )
            )
            {
                parts.Add($"toward {Clean(other)}: {Clean(attitude)}");
            }
            lines.Add(
                new StateLine(
                    "character:" + name,
                    "- " + Clean(name) + (parts.Count == 0 ? "" : ": " + string.Join("; ", parts))
                )
            );
        }
        foreach (var (name, q) in state.QuestMap.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            lines.Add(
                new StateLine(
                    StateLine.QuestPrefix + name,
                    "- "
                        + Clean(name)
                        + " ("
                        + Clean(q.Status)
                        + ")"
                        + (q.Notes is { } notes ? ": " + Clean(notes) : "")
                )
            );
        }
        return lines;
    }

    private static StateLine Gone(string key)
    {
        var name = key == "time" ? "Time of day" : key[(key.IndexOf(':', StringComparison.Ordinal) + 1)..];
        return new StateLine(key, "- " + Clean(name) + ": no longer tracked");
    }

    private static string Clean(string text) => PromptText.Clean(text);
}
