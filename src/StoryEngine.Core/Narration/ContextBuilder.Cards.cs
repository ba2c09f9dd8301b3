using Microsoft.Extensions.AI;

namespace StoryEngine.Core.Narration;

// The parts of the prompt that come from character cards and are not plain stable-prefix text: example dialogue
// under a budget, the card's note at a depth, and its post-history instructions (issue 17). Kept apart from the
// builder's main flow so each can be read on its own.
public sealed partial class ContextBuilder
{
    /// <summary>A card's message outside the stable prefix; <c>null</c> depth: right before the action.</summary>
    private sealed record CardNote(ContextSection Section, ChatMessage Message, int? Depth);

    /// <summary>
    /// The example dialogue section: blocks in cast order while they fit in half the prompt less the rest of the
    /// stable prefix; the rest are dropped from the end and reported. It depends only on cards and the budget, so it
    /// stays the same from turn to turn.
    /// </summary>
    private ContextSection ExampleDialogue(
        NarrationInput input,
        MacroContext macros,
        IReadOnlyList<ContextSection> stable,
        List<ContextOmission> leftOut,
        NarratorSettings settings
    )
    {
        var blocks = CardPrompt.ExampleBlocks(input.Characters, macros);
        if (blocks.Count == 0)
        {
            return new ContextSection("example dialogue", "system", 0, "", "empty");
        }
        var budget = Math.Max(0, settings.PromptBudget / 2 - stable.Sum(s => s.EstimatedTokens));
        var kept = blocks.Count;
        while (kept > 0 && Estimate(CardPrompt.Examples(blocks.Take(kept)), settings) > budget)
        {
            kept--;
        }
        foreach (var group in blocks.Skip(kept).GroupBy(b => b.Character))
        {
            var first = group.First();
            var last = group.Last();
            leftOut.Add(
                new ContextOmission(
                    first.Number == last.Number
                        ? $"example dialogue of {first.Character}: block {first.Number} of {first.Of}"
                        : $"example dialogue of {first.Character}: blocks {first.Number}–{last.Number} of {first.Of}",
                    $"over budget: example dialogue may use {budget} of {settings.PromptBudget} prompt tokens (half "
                        + "the prompt less the rest of the stable prefix); later examples go first"
                )
            );
        }
        var text = CardPrompt.Examples(blocks.Take(kept));
        return new ContextSection(
            "example dialogue",
            "system",
            Estimate(text, settings),
            text,
            kept == blocks.Count ? $"{kept} blocks" : $"{kept} of {blocks.Count} blocks; the rest over budget"
        );
    }

    /// <summary>The cards' notes at a depth and their post-history instructions, as the inspector lists them.</summary>
    private List<CardNote> CardNotes(NarrationInput input, MacroContext macros, NarratorSettings settings)
    {
        var notes = new List<CardNote>();
        foreach (var note in CardPrompt.DepthPrompts(input.Characters, macros))
        {
            notes.Add(
                new CardNote(
                    new ContextSection(
                        "character note",
                        note.Role.Value,
                        Estimate(note.Text, settings),
                        note.Text,
                        $"{note.Character}'s card: depth {note.Depth} (messages from the end)"
                    ),
                    new ChatMessage(note.Role, note.Text),
                    note.Depth
                )
            );
        }
        var post = CardPrompt.PostHistory(input.Characters, macros);
        if (post.Length > 0)
        {
            notes.Add(
                new CardNote(
                    new ContextSection(
                        "post-history instructions",
                        "system",
                        Estimate(post, settings),
                        post,
                        "from the card; right before the action"
                    ),
                    new ChatMessage(ChatRole.System, post),
                    null
                )
            );
        }
        return notes;
    }

    /// <summary>
    /// Puts each note at its depth, counted over the conversation with the action as its last message, then the
    /// post-history instructions right before the action.
    /// </summary>
    private static void PlaceCardNotes(List<ChatMessage> chat, IReadOnlyList<CardNote> notes)
    {
        if (notes.Count == 0)
        {
            return;
        }
        var action = chat[^1];
        foreach (var note in notes.Where(n => n.Depth is not null))
        {
            PromptDepth.Insert(chat, note.Message, note.Depth!.Value);
        }
        foreach (var note in notes.Where(n => n.Depth is null))
        {
            chat.Insert(chat.IndexOf(action), note.Message);
        }
    }
}
