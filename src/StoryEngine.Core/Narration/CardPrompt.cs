using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using StoryEngine.Core.Characters;

namespace StoryEngine.Core.Narration;

/// <summary>A card's note to insert <see cref="Depth"/> messages from the end (SillyTavern's character note).</summary>
public sealed record DepthPrompt(string Character, string Text, int Depth, ChatRole Role);

/// <summary>
/// The prompt text of character cards, in the order of SillyTavern's default story string (system prompt,
/// description, personality, scenario, then persona and example dialogue, which the context builder places), with
/// macros replaced per character so <c>{{char}}</c> in a card is that card's name. Every field is cleaned after its
/// macros are replaced, so nothing a macro brings in can pose as a chat template marker or a speaker.
/// </summary>
public static class CardPrompt
{
    /// <summary>SillyTavern's default depth and role for a card's <c>extensions.depth_prompt</c>.</summary>
    public const int DefaultDepth = 4;

    public const string ExamplesHeading =
        "# Example dialogue (how the characters speak; none of it happened in this story)";

    /// <summary>
    /// The instructions: the first character's own system prompt when it has one and the server honours cards'
    /// prompts (<c>{{original}}</c> in it stands for ours), else ours; with the note the inspector shows.
    /// </summary>
    public static (string Text, string? Note) Instructions(
        IReadOnlyList<Character> characters,
        MacroContext context,
        string ours,
        bool honoured
    )
    {
        var card = characters.FirstOrDefault(c => c.SystemPrompt.Trim().Length > 0);
        if (card is null)
        {
            return (Text(ours, context), null);
        }
        if (!honoured)
        {
            return (
                Text(ours, context),
                $"{card.Name}'s card has its own system prompt; ignored (Narrator:CardSystemPrompts is off)"
            );
        }
        var others = characters.Count(c => c.SystemPrompt.Trim().Length > 0) - 1;
        var text = Text(card.SystemPrompt, For(card, context) with { Original = ours });
        return (
            text,
            $"the system prompt of {card.Name}'s card"
                + (others > 0 ? $"; {others} other card(s) have one too, only the first character's is used" : "")
        );
    }

    /// <summary>Each character's description and card fields under its name.</summary>
    public static string Characters(IReadOnlyList<Character> characters, MacroContext context)
    {
        if (characters.Count == 0)
        {
            return "";
        }
        var text = new StringBuilder("# Characters");
        foreach (var c in characters)
        {
            var own = For(c, context);
            text.Append($"\n## {own.Char}");
            foreach (
                var (label, value) in new[]
                {
                    ("", c.Description),
                    ("Personality", c.Personality),
                    ("Appearance", c.Appearance),
                    ("Speech", c.SpeechStyle),
                    ("Goals", c.Goals),
                    ("Scenario", c.Scenario),
                }
            )
            {
                if (value.Length > 0)
                {
                    text.Append('\n').Append(label.Length > 0 ? label + ": " : "").Append(Text(value, own));
                }
            }
        }
        return text.ToString();
    }

    /// <summary>
    /// Every character's example dialogue as blocks (a card's <c>mes_example</c> split on <c>&lt;START&gt;</c>), in
    /// cast order: what the context builder keeps while they fit, dropping the last ones first.
    /// </summary>
    public static IReadOnlyList<(string Character, int Number, int Of, string Text)> ExampleBlocks(
        IReadOnlyList<Character> characters,
        MacroContext context
    )
    {
        var blocks = new List<(string, int, int, string)>();
        foreach (var c in characters)
        {
            var own = For(c, context);
            var texts = c
                .ExampleMessages.Split("<START>", StringSplitOptions.None)
                .Select(b => Text(b, own).Trim())
                .Where(b => b.Length > 0)
                .ToList();
            blocks.AddRange(texts.Select((t, i) => (own.Char, i + 1, texts.Count, t)));
        }
        return blocks;
    }

    /// <summary>The kept example blocks as one section, each character's under its name.</summary>
    public static string Examples(IEnumerable<(string Character, int Number, int Of, string Text)> blocks)
    {
        var text = new StringBuilder();
        string? current = null;
        foreach (var block in blocks)
        {
            if (current != block.Character)
            {
                text.Append(text.Length == 0 ? ExamplesHeading : "").Append($"\n## {block.Character}");
                current = block.Character;
            }
            text.Append("\n***\n").Append(block.Text);
        }
        return text.ToString();
    }

    /// <summary>Each character's <c>extensions.depth_prompt</c> that has text: its prompt, depth and role.</summary>
    public static IReadOnlyList<DepthPrompt> DepthPrompts(IReadOnlyList<Character> characters, MacroContext context)
    {
        var prompts = new List<DepthPrompt>();
        foreach (var c in characters)
        {
            if (c.Extensions["depth_prompt"] is not JsonObject note || Str(note["prompt"]) is not { } raw)
            {
                continue;
            }
            var text = Text(raw, For(c, context)).Trim();
            if (text.Length == 0)
            {
                continue;
            }
            var depth = Int(note["depth"]) is { } d && d >= 0 ? d : DefaultDepth;
            var role = Str(note["role"])?.Trim().ToLowerInvariant() switch
            {
                "user" => ChatRole.User,
                "assistant" => ChatRole.Assistant,
                _ => ChatRole.System,
            };
            prompts.Add(
                new DepthPrompt(For(c, context).Char, characters.Count > 1 ? $"[{c.Name}] {text}" : text, depth, role)
            );
        }
        return prompts;
    }

    /// <summary>
    /// The characters' post-history instructions, sent right before the player's action; <c>{{original}}</c> stands
    /// for the server's own, which is none. Several characters' are each labelled with the name.
    /// </summary>
    public static string PostHistory(IReadOnlyList<Character> characters, MacroContext context)
    {
        var with = characters.Where(c => c.PostHistoryInstructions.Trim().Length > 0).ToList();
        return string.Join(
            "\n\n",
            with.Select(c =>
            {
                var text = Text(c.PostHistoryInstructions, For(c, context) with { Original = "" }).Trim();
                return with.Count > 1 ? $"[{For(c, context).Char}] {text}" : text;
            })
        );
    }

    /// <summary>The context with <c>{{char}}</c> standing for this character.</summary>
    public static MacroContext For(Character character, MacroContext context) =>
        context with
        {
            Char = PromptText.Clean(character.Name),
        };

    private static string Text(string value, MacroContext context) => PromptText.Clean(Macros.Apply(value, context));

    private static string? Str(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    // A number either parsed from a card (a JsonElement) or set in code (an int); a fraction is cut.
    private static int? Int(JsonNode? node) =>
        node is not JsonValue v || v.GetValueKind() != JsonValueKind.Number ? null
        : v.TryGetValue<int>(out var i) ? Math.Min(i, 1000)
        : v.TryGetValue<double>(out var d) ? (int)Math.Min(d, 1000)
        : v.TryGetValue<JsonElement>(out var e) && e.TryGetDouble(out var x) ? (int)Math.Min(x, 1000)
        : null;
}
