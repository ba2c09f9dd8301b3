using System.Text;
using StoryEngine.Core.Narration;

namespace StoryEngine.Core.State;

/// <summary>The world state as the narrator reads it, in the volatile block: short lines, sorted so the text is stable.</summary>
public static class StatePrompt
{
    public static string Render(WorldState? state)
    {
        if (state is null || state.IsEmpty)
        {
            return "";
        }
        var text = new StringBuilder("# World state (what is true now; keep the story consistent with it)");
        if (state.TimeOfDay is { } time)
        {
            text.Append("\nTime of day: ").Append(Clean(time));
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
            foreach (var (other, attitude) in (c.Relationships ?? new Dictionary<string, string>()).OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                parts.Add($"toward {Clean(other)}: {Clean(attitude)}");
            }
            text.Append("\n- ").Append(Clean(name)).Append(parts.Count == 0 ? "" : ": " + string.Join("; ", parts));
        }
        if (state.QuestMap.Count > 0)
        {
            text.Append("\nQuests:");
            foreach (var (name, q) in state.QuestMap.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                text.Append("\n- ").Append(Clean(name)).Append(" (").Append(Clean(q.Status)).Append(')').Append(q.Notes is { } notes ? ": " + Clean(notes) : "");
            }
        }
        return text.ToString();
    }

    private static string Clean(string text) => PromptText.Clean(text);
}
