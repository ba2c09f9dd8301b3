using Microsoft.Extensions.AI;
using StoryEngine.Core.Lore.Activation;
using StoryEngine.Core.Memory;
using StoryEngine.Core.Stories;

namespace StoryEngine.Core.Narration;

// Which turns the transcript holds (issue 19, docs/adr/0041-transcript-trimmed-in-blocks.md): it starts where the
// previous prompt's started and grows at the end until it no longer fits; then the oldest turns go at once, down to
// the low-water mark, and it grows again. Between trims every prompt begins with the whole previous prompt.
public sealed partial class ContextBuilder
{
    /// <summary>One turn as the transcript sends it, with its estimated size.</summary>
    private sealed record TranscriptTurn(TurnRecord Turn, List<ChatMessage> Messages, int Tokens);

    /// <summary>The transcript chosen for one prompt.</summary>
    /// <param name="Kept">The turns sent, oldest first.</param>
    /// <param name="Dropped">The loaded turns left out, oldest first.</param>
    /// <param name="From">The first turn sent; null when nothing was left out (the story's beginning).</param>
    private sealed record TranscriptChoice(
        IReadOnlyList<TranscriptTurn> Kept,
        IReadOnlyList<TurnRecord> Dropped,
        int? From,
        TranscriptReport Report
    )
    {
        public int Tokens => Kept.Sum(k => k.Tokens);
    }

    /// <summary>The carried block a prompt sends with a given kept transcript: what that transcript does not show
    /// yet.</summary>
    private sealed record CarriedBlock(
        string Lore,
        IReadOnlyList<(ActivatedLore Entry, string Fingerprint)> NewLore,
        string State,
        IReadOnlyDictionary<string, string> StateLines,
        int Tokens
    );

    private CarriedBlock Carried(
        IReadOnlyList<ActivatedLore> triggered,
        State.WorldState? state,
        IReadOnlyList<TurnRecord> keptTurns,
        MacroContext macros,
        NarratorSettings settings
    )
    {
        var carried = new CarriedContexts(keptTurns);
        var newLore = triggered
            .Where(e => e.Text.Length > 0)
            .Select(e => (Entry: e, Fingerprint: CarriedContext.Fingerprint(e.Text)))
            .Where(e => !carried.ShowsLore(e.Fingerprint))
            .ToList();
        var lore = Macros.Apply(LorePrompt.Triggered(newLore.Select(e => e.Entry).ToList()), macros);
        var (text, lines) = State.StatePrompt.Changes(state, carried.StateLine, carried.StateKeys);
        return new CarriedBlock(lore, newLore, text, lines, Estimate(lore, settings) + Estimate(text, settings));
    }

    /// <summary>The live turns the previous prompt's transcript start keeps: this prompt's transcript unless it is
    /// trimmed.</summary>
    private static List<TurnRecord> PreviousTranscript(NarrationInput input)
    {
        var live = input.Transcript.Where(t => !t.Undone).OrderBy(t => t.Number).ToList();
        var previous = PreviousStart(live);
        return previous is { } start ? live.Where(t => t.Number >= start).ToList() : live;
    }

    /// <param name="budgetFor">The tokens the transcript may use when it keeps these turns (oldest first): the volatile
    /// block it needs depends on what they already show.</param>
    /// <param name="summaries">The stored summaries: a trim that ends inside a first-layer summary drops the rest of
    /// its turns too, so the summary replaces whole turns.</param>
    /// <param name="lent">Tokens of this prompt's own slots (recalled memories, world knowledge) the transcript may
    /// grow into before it is trimmed: those slots come after it and change every prompt, so shrinking them costs the
    /// cache nothing, while a trim costs it the whole transcript. A trim still goes down to the low-water mark of the
    /// budget without them, so they get their whole share back.</param>
    private TranscriptChoice ChooseTranscript(
        IReadOnlyList<TurnRecord> transcript,
        Func<IReadOnlyList<TurnRecord>, int> budgetFor,
        IReadOnlyList<StorySummary> summaries,
        int lent,
        NarratorSettings settings
    )
    {
        var turns = transcript
            .Where(t => !t.Undone)
            .OrderBy(t => t.Number)
            .Select(t =>
            {
                var messages = TurnMessages(t);
                return new TranscriptTurn(t, messages, messages.Sum(m => tokens.Estimate(m.Text, settings.Model)));
            })
            .ToList();
        var previous = PreviousStart(turns.Select(t => t.Turn).ToList());
        // The previous prompt's start, read from the story (what the newest narrated turn recorded), never from
        // memory: a cold rebuild, another node or a restart gets the same transcript.
        var from = previous is { } start ? turns.FindIndex(t => t.Turn.Number >= start) : 0;
        if (from < 0)
        {
            from = turns.Count;
        }
        int Budget(int first) => Math.Max(0, budgetFor([.. turns.Skip(first).Select(t => t.Turn)]));
        var budget = Budget(from);
        var lowWater = (int)((long)budget * LowWaterPercent / 100);
        var total = turns.Skip(from).Sum(t => t.Tokens);
        var trimmed = false;
        if (total > budget + lent)
        {
            // Over budget: drop the oldest turns at once, down to the low-water mark, so the transcript's start then
            // stays put for many turns. Dropping turns drops their blocks, so the new block may have to say more: drop
            // further while the rest does not fit with it. The newest turn stays whenever it fits on its own.
            trimmed = true;
            while (from < turns.Count && total > lowWater)
            {
                total -= turns[from].Tokens;
                from++;
            }
            // A summary written ahead of this trim (SummariseAhead) covers the turns it drops: end the cut where that
            // summary ends, so every dropped turn is in the summary slot from this prompt on.
            if (
                from > 0
                && summaries.FirstOrDefault(p =>
                    p.Layer == 0 && p.FromTurn <= turns[from - 1].Turn.Number && p.ToTurn >= turns[from - 1].Turn.Number
                )
                    is { } piece
            )
            {
                while (from < turns.Count - 1 && turns[from].Turn.Number <= piece.ToTurn)
                {
                    total -= turns[from].Tokens;
                    from++;
                }
            }
            while (from < turns.Count && total > (budget = Budget(from)))
            {
                total -= turns[from].Tokens;
                from++;
            }
            if (from == turns.Count && turns.Count > 0 && turns[^1].Tokens <= Budget(turns.Count - 1))
            {
                from = turns.Count - 1;
                total = turns[^1].Tokens;
            }
            budget = Budget(from);
        }
        var kept = turns.Skip(from).ToList();
        int? first =
            from == 0 ? null
            : kept.Count > 0 ? kept[0].Turn.Number
            : turns[^1].Turn.Number + 1;
        return new TranscriptChoice(
            kept,
            turns.Take(from).Select(t => t.Turn).ToList(),
            first,
            NextTrim(kept, first, previous, trimmed, total, budget + lent, lowWater) with
            {
                Lent = lent,
            }
        );
    }

    /// <summary>
    /// What the next trim will drop: it comes once the transcript passes <paramref name="budget"/> and leaves at most
    /// the low-water mark, so it drops more than <c>budget − lowWater</c> tokens of the oldest turns: at least the
    /// oldest turns up to the first whose running total passes that. (Estimated with this prompt's budget, which moves
    /// a little from turn to turn with triggered lore and recall.)
    /// </summary>
    private static TranscriptReport NextTrim(
        IReadOnlyList<TranscriptTurn> kept,
        int? first,
        int? previous,
        bool trimmed,
        int total,
        int budget,
        int lowWater
    )
    {
        var sum = 0;
        var through = -1;
        for (var i = 0; i < kept.Count; i++)
        {
            sum += kept[i].Tokens;
            if (sum > budget - lowWater)
            {
                through = i;
                break;
            }
        }
        return new TranscriptReport(
            first,
            previous,
            trimmed,
            total,
            budget,
            lowWater,
            through >= 0 ? through + 1 : kept.Count,
            through >= 0 ? kept[through].Turn.Number
                : kept.Count > 0 ? kept[^1].Turn.Number
                : null
        );
    }

    /// <summary>
    /// The first turn of the previous prompt's transcript, as the newest narrated turn recorded it with its block;
    /// null when it left nothing out, or when the turn predates the record (issue 19).
    /// </summary>
    private static int? PreviousStart(IReadOnlyList<TurnRecord> turns)
    {
        for (var i = turns.Count - 1; i >= 0; i--)
        {
            var narration = turns[i].ChosenNarration;
            // A failed or interrupted narration recorded nothing; the turn before it did.
            if (narration.Status is NarrationRecord.Completed or NarrationRecord.Stopped)
            {
                return narration.Context?.TranscriptFrom;
            }
        }
        return null;
    }

    /// <summary>
    /// Once the transcript is past its low-water mark, the turns its next trim will drop (with one more for the turn a
    /// trim usually overshoots by), when no stored summary reaches them yet: a summary job written ahead makes the
    /// summary ready when the trim drops them, so both change the prompt at once.
    /// </summary>
    private static int? SummariseAhead(TranscriptChoice choice, IReadOnlyList<StorySummary> summaries)
    {
        var report = choice.Report;
        if (report.Tokens <= report.LowWater || report.NextTrimThroughTurn is not { } through)
        {
            return null;
        }
        var kept = choice.Kept;
        var at = kept.Count - 1;
        while (at > 0 && kept[at].Turn.Number > through)
        {
            at--;
        }
        // One turn of margin, never the newest turn.
        var target = at + 1 < kept.Count - 1 ? kept[at + 1].Turn.Number : through;
        var stored = summaries.Where(s => s.Layer == 0).Select(s => s.ToTurn).DefaultIfEmpty(-1).Max();
        return target > stored ? target : null;
    }

    /// <summary>The system message with its summary slot for a transcript whose first turn is <paramref name="first"/>.
    /// </summary>
    private sealed record SummarySlot(
        IReadOnlyList<StorySummary> Pieces,
        IReadOnlyList<ContextOmission> Cut,
        ContextSection Section,
        string System,
        int Tokens
    );

    private SummarySlot Slot(
        IReadOnlyList<ContextSection> stable,
        IReadOnlyList<StorySummary> stored,
        int first,
        NarratorSettings settings
    )
    {
        var summaries = SummaryPlan.Cover([.. stored.Where(s => s.ToTurn < first)]).ToList();
        // The summary may use at most a quarter of the prompt: past that, the oldest pieces go first (and are
        // reported), so the newest turns always keep room in the transcript.
        var cut = new List<ContextOmission>();
        var summaryBudget = settings.PromptBudget / 4;
        while (summaries.Count > 0 && summaries.Sum(p => tokens.Estimate(p.Text, settings.Model)) > summaryBudget)
        {
            cut.Add(
                new ContextOmission(
                    $"summary of turns {summaries[0].FromTurn}–{summaries[0].ToTurn}",
                    $"over budget: summaries may use {summaryBudget} of {settings.PromptBudget} prompt tokens; oldest "
                        + "go first"
                )
            );
            summaries.RemoveAt(0);
        }
        var text = SummaryText(summaries);
        var section = new ContextSection(
            "summary",
            "system",
            Estimate(text, settings),
            text,
            summaries.Count == 0
                ? "slot: filled when the story outgrows its budget"
                : $"turns {summaries[0].FromTurn}–{summaries[^1].ToTurn} in {summaries.Count} summaries "
                    + $"(layers {string.Join(", ", summaries.Select(p => p.Layer).Distinct().Order())})"
        );
        var system = string.Join("\n\n", stable.Append(section).Where(s => s.Text.Length > 0).Select(s => s.Text));
        return new SummarySlot(summaries, cut, section, system, tokens.Estimate(system, settings.Model));
    }

    private int LowWaterPercent => promptOptions?.TranscriptLowWaterPercent ?? PromptOptions.DefaultLowWaterPercent;

    private static string TranscriptNote(TranscriptChoice choice)
    {
        var report = choice.Report;
        if (choice.Kept.Count == 0)
        {
            return "no earlier turns";
        }
        var turns = $"turns {choice.Kept[0].Turn.Number}–{choice.Kept[^1].Turn.Number}";
        var start = report.Trimmed
            ? $"trimmed this turn to {report.Tokens} of {report.Budget} tokens (low water {report.LowWater})"
            : $"{report.Tokens} of {report.Budget} tokens";
        var next =
            report.NextTrimTurns == 0 ? ""
            : report.NextTrimTurns == 1 ? $"; turn {report.NextTrimThroughTurn} will be dropped"
            : $"; the oldest {report.NextTrimTurns} turns "
                + $"({choice.Kept[0].Turn.Number}–{report.NextTrimThroughTurn}) will be dropped";
        return $"{turns}: {start}{next} when the transcript passes {report.Budget} tokens";
    }
}

/// <summary>
/// Where the transcript starts and when it is next trimmed (issue 19). It keeps its first turn until it no longer
/// fits <see cref="Budget"/>; then the oldest turns go at once until it is at most <see cref="LowWater"/>.
/// </summary>
/// <param name="From">The first turn sent; null when nothing was left out.</param>
/// <param name="PreviousFrom">The first turn of the previous prompt's transcript, as recorded with the newest turn;
/// null when that one left nothing out.</param>
/// <param name="Trimmed">Whether this prompt dropped turns the previous one sent.</param>
/// <param name="Tokens">The transcript's estimated tokens.</param>
/// <param name="Budget">The tokens the transcript may use in this prompt.</param>
/// <param name="LowWater">What a trim leaves at most (<c>Narrator:TranscriptLowWaterPercent</c> of the budget less
/// <see cref="Lent"/>).</param>
/// <param name="NextTrimTurns">How many of the oldest turns the next trim drops at least.</param>
/// <param name="NextTrimThroughTurn">The newest of them.</param>
/// <param name="Lent">Of <see cref="Budget"/>, the tokens reserved for this prompt's recalled memories and world
/// knowledge that the transcript may grow into before it is trimmed (those slots shrink by what it uses of them).
/// </param>
public sealed record TranscriptReport(
    int? From,
    int? PreviousFrom,
    bool Trimmed,
    int Tokens,
    int Budget,
    int LowWater,
    int NextTrimTurns,
    int? NextTrimThroughTurn,
    int Lent = 0
);
