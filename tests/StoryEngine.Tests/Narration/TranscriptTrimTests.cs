using Microsoft.Extensions.AI;
using StoryEngine.Core.Lore.Activation;
using StoryEngine.Core.Memory;
using StoryEngine.Core.Narration;
using StoryEngine.Core.Personas;
using StoryEngine.Core.Stories;
using StoryEngine.Core.Worlds;

namespace StoryEngine.Tests.Narration;

/// <summary>
/// Issue 19: once a story outgrows its context, the transcript is trimmed in blocks — the oldest turns go at once,
/// down to a low-water mark — and its start then stays put while it grows again, so a backend's prompt cache holds
/// between trims. The start is read from the story (recorded with each turn), so a cold rebuild gives the same prompt.
/// A scripted 200-turn story with a small window, built turn by turn as the narrator would be prompted.
/// </summary>
public sealed class TranscriptTrimTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 7, 8, 0, 0, TimeSpan.Zero);
    private static readonly NarratorSettings Small = new(2_048, 512, "test");

    private sealed record Prompt(int Turn, NarrationContext Context, int TranscriptMessages);

    private static ContextBuilder Builder(int lowWater = PromptOptions.DefaultLowWaterPercent) =>
        new(
            new TokenEstimator(),
            new LoreIndexCache(),
            null,
            new PromptOptions { TranscriptLowWaterPercent = lowWater }
        );

    // Actions and narrations of varying length (a fixed pseudo-random pattern), so the budget left for the
    // transcript moves a little from turn to turn as it does with lore and recall.
    private static string Action(int turn) => $"I look around, step {turn}. " + new string('a', turn * 37 % 90);

    private static string Narration(int turn) =>
        $"The wind turns at step {turn}. " + string.Concat(Enumerable.Repeat("Waves break. ", 4 + turn * 13 % 9));

    private static NarrationInput Input(
        IReadOnlyList<TurnRecord> transcript,
        int turn,
        IReadOnlyList<StorySummary>? summaries = null,
        RecallResult? recall = null
    ) =>
        new(
            new World { Name = "Saltmere", Description = "A drowned harbour town." },
            new Persona { Name = "Ada", Description = "A diver." },
            [],
            null,
            transcript,
            new PlayerAction("do", Action(turn)),
            Recall: recall,
            Summaries: summaries,
            Macros: MacroContext.For(null, "Ada", Now, "a:t"),
            TurnNumber: turn
        );

    private static TurnRecord Turn(int number, string kind, string text, string narration, CarriedContext? carried) =>
        new(
            "a",
            $"t{number}",
            number,
            kind,
            text,
            0,
            [new NarrationRecord(narration, NarrationRecord.Completed, Context: carried)],
            false,
            Now,
            Now
        );

    // Three earlier turns recalled for each move from turn 12 on (as memory recall finds them: some still in the
    // transcript, some long dropped), so the prompt has a recall share to reserve.
    private static RecallResult? Recall(IReadOnlyList<TurnRecord> story, int turn) =>
        turn < 12
            ? null
            : new RecallResult(
                Action(turn),
                ["step"],
                [
                    .. new[] { turn / 3, turn / 2, turn - 3 }.Select(
                        (n, rank) => new RecallCandidate(story[n], 1.0 / (61 + rank), rank + 1, null, null)
                    ),
                ],
                null,
                3,
                600
            );

    /// <summary>Plays <paramref name="turns"/> turns: each prompt is built from the story so far, and the turn is
    /// stored with the block the builder returned, as the narrator's completion records it.</summary>
    private static (List<Prompt> Prompts, List<TurnRecord> Story) Play(
        int turns,
        ContextBuilder builder,
        bool recall = false
    )
    {
        var story = new List<TurnRecord> { Turn(0, "opening", "", "The tide is out in Saltmere.", null) };
        var prompts = new List<Prompt>();
        for (var n = 1; n <= turns; n++)
        {
            var context = builder.Build(Input(story, n, recall: recall ? Recall(story, n) : null), Small);
            prompts.Add(new Prompt(n, context, TranscriptMessages(context)));
            story.Add(Turn(n, "do", Action(n), Narration(n), context.Carried));
        }
        return (prompts, story);
    }

    // The system message and the transcript: everything up to the last narration the prompt repeats.
    private static int TranscriptMessages(NarrationContext context)
    {
        var messages = context.Messages;
        var last = 0;
        for (var i = 0; i < messages.Count; i++)
        {
            if (messages[i].Role == ChatRole.Assistant)
            {
                last = i;
            }
        }
        return last + 1;
    }

    private static List<string> Texts(IEnumerable<ChatMessage> messages) =>
        [.. messages.Select(m => m.Role.Value + ": " + m.Text)];

    private static TranscriptReport Report(Prompt prompt) => prompt.Context.Report.Transcript!;

    [Fact]
    public void consecutive_prompts_share_their_transcript_start_except_at_block_trims()
    {
        var (prompts, _) = Play(200, Builder());

        var trims = prompts.Where(p => Report(p).Trimmed).ToList();
        // Half the budget goes at each trim (the default low-water mark), so a transcript of ~25 turns is trimmed
        // about every 12 turns.
        Assert.InRange(trims.Count, 2, 30);
        foreach (var (previous, next) in prompts.Zip(prompts.Skip(1)))
        {
            if (Report(next).Trimmed)
            {
                Assert.True(Report(next).From > (Report(previous).From ?? 0), $"turn {next.Turn} trims forward");
                continue;
            }
            // Not a trim: the same start, and the next prompt repeats the previous one through its transcript.
            Assert.Equal(Report(previous).From, Report(next).From);
            Assert.Equal(
                Texts(previous.Context.Messages.Take(previous.TranscriptMessages)),
                Texts(next.Context.Messages.Take(previous.TranscriptMessages))
            );
        }
    }

    [Fact]
    public void a_trim_drops_a_block_of_the_oldest_turns_down_to_the_low_water_mark()
    {
        var (prompts, _) = Play(200, Builder(lowWater: 60));

        var trims = prompts.Where(p => Report(p).Trimmed).ToList();
        Assert.NotEmpty(trims);
        foreach (var trim in trims)
        {
            var report = Report(trim);
            Assert.True(report.Tokens <= report.LowWater, $"turn {trim.Turn}: {report.Tokens} > {report.LowWater}");
            Assert.True(report.LowWater < report.Budget);
            var previous = prompts.Single(p => p.Turn == trim.Turn - 1);
            // A block, not a turn: several turns go at once.
            Assert.True(
                report.From - (Report(previous).From ?? 0) >= 3,
                $"turn {trim.Turn} dropped turns {Report(previous).From}–{report.From - 1}"
            );
            var omission = Assert.Single(trim.Context.Report.LeftOut, o =>
                o.What.StartsWith("turn", StringComparison.Ordinal)
            );
            Assert.Contains($"down to {report.LowWater}", omission.Reason, StringComparison.Ordinal);
        }
        // Between trims the transcript stays within its budget.
        Assert.All(prompts, p => Assert.True(Report(p).Tokens <= Report(p).Budget, $"turn {p.Turn}"));
    }

    [Fact]
    public void between_trims_the_transcript_grows_into_the_recall_share_so_recall_does_not_bring_trims_sooner()
    {
        var (plain, _) = Play(200, Builder());
        var (prompts, story) = Play(200, Builder(), recall: true);

        // Recalled memories come after the transcript and change every prompt: the transcript may use their share
        // until it no longer fits without it, so they do not make it trim more often.
        Assert.True(
            prompts.Count(p => Report(p).Trimmed) <= plain.Count(p => Report(p).Trimmed),
            $"{prompts.Count(p => Report(p).Trimmed)} trims with recall, {plain.Count(p => Report(p).Trimmed)} without"
        );
        var borrowing = 0;
        foreach (var prompt in prompts.Where(p => p.Turn >= 12))
        {
            var report = Report(prompt);
            Assert.True(report.Lent > 0, $"turn {prompt.Turn}");
            Assert.True(report.Tokens <= report.Budget, $"turn {prompt.Turn}");
            Assert.True(report.LowWater < report.Budget - report.Lent, $"turn {prompt.Turn}: low water of the rest");
            // What the transcript uses of the share comes off the recalled memories, so the prompt still fits.
            var borrowed = Math.Max(0, report.Tokens - (report.Budget - report.Lent));
            var recalled = prompt.Context.Report.Sections.Single(s => s.Name == "recalled memories");
            Assert.True(recalled.EstimatedTokens <= report.Lent - borrowed, $"turn {prompt.Turn}");
            Assert.True(prompt.Context.Report.EstimatedTokens <= Small.PromptBudget, $"turn {prompt.Turn}");
            if (borrowed > 0)
            {
                borrowing++;
                Assert.Contains($"the transcript uses {borrowed} of their", recalled.Note, StringComparison.Ordinal);
            }
        }
        Assert.True(borrowing > 0, "the transcript never grew into the recall share");
        foreach (var (previous, next) in prompts.Zip(prompts.Skip(1)).Where(p => !Report(p.Second).Trimmed))
        {
            Assert.Equal(
                Texts(previous.Context.Messages.Take(previous.TranscriptMessages)),
                Texts(next.Context.Messages.Take(previous.TranscriptMessages))
            );
        }
        // The same prompt from the story alone (recall included), as a cold rebuild makes it.
        foreach (var prompt in prompts.Where(p => p.Turn % 9 == 0 || Report(p).Trimmed))
        {
            var before = story.Where(t => t.Number < prompt.Turn).ToList();
            var cold = Builder().Build(Input(before, prompt.Turn, recall: Recall(before, prompt.Turn)), Small);
            Assert.Equal(Texts(prompt.Context.Messages), Texts(cold.Messages));
        }
    }

    [Fact]
    public void the_newest_turns_are_never_pushed_out()
    {
        var (prompts, _) = Play(200, Builder());

        foreach (var prompt in prompts.Where(p => p.Turn > 1))
        {
            var transcript = prompt.Context.Report.Sections.Single(s => s.Name == "transcript");
            Assert.StartsWith("turns ", transcript.Note, StringComparison.Ordinal);
            Assert.Contains($"–{prompt.Turn - 1}:", transcript.Note, StringComparison.Ordinal);
            Assert.Equal(Narration(prompt.Turn - 1), prompt.Context.Messages[prompt.TranscriptMessages - 1].Text);
        }
    }

    [Fact]
    public void the_prompt_is_identical_when_rebuilt_cold_from_the_story()
    {
        var (prompts, story) = Play(200, Builder());

        foreach (var prompt in prompts.Where(p => p.Turn % 7 == 0 || Report(p).Trimmed))
        {
            var before = story.Where(t => t.Number < prompt.Turn).ToList();
            // A new builder and estimator (a restart, another node), and only the newest turns loaded, as
            // NarrationInputs reads back just far enough to fill the budget.
            var loaded = before.Skip(Math.Max(0, before.Count - 40)).ToList();
            var cold = Builder().Build(Input(loaded, prompt.Turn), Small);
            Assert.Equal(Texts(prompt.Context.Messages), Texts(cold.Messages));
            Assert.Equal(prompt.Context.Carried, cold.Carried);
        }
    }

    [Fact]
    public void the_inspector_reports_where_the_transcript_starts_and_what_the_next_trim_drops()
    {
        var (prompts, _) = Play(120, Builder());
        var trimAt = prompts.Where(p => Report(p).Trimmed).Skip(1).First();
        var before = prompts.Single(p => p.Turn == trimAt.Turn - 1);

        // The prompt before a trim said which turns it would drop at least, and the trim dropped them.
        var next = Report(before);
        Assert.True(next.NextTrimTurns > 0);
        Assert.True(Report(trimAt).From > next.NextTrimThroughTurn);
        var note = before.Context.Report.Sections.Single(s => s.Name == "transcript").Note;
        Assert.Contains($"turns {next.From}–", note, StringComparison.Ordinal);
        Assert.Contains(
            $"the oldest {next.NextTrimTurns} turns ({next.From}–{next.NextTrimThroughTurn}) will be dropped "
                + $"when the transcript passes {next.Budget} tokens",
            note,
            StringComparison.Ordinal
        );
        Assert.Equal(next.From, prompts.Single(p => p.Turn == trimAt.Turn - 2).Context.Carried?.TranscriptFrom);
    }

    [Fact]
    public void a_story_from_before_the_record_is_trimmed_once_and_then_keeps_its_start()
    {
        // Turns narrated before starts were recorded carry no start: the first prompt trims to the low-water mark.
        var (_, story) = Play(80, Builder());
        var legacy = story
            .Select(t =>
                t with
                {
                    Alternatives =
                    [
                        t.ChosenNarration with
                        {
                            Context = t.ChosenNarration.Context is null
                                ? null
                                : t.ChosenNarration.Context with
                                {
                                    TranscriptFrom = null,
                                },
                        },
                    ],
                }
            )
            .ToList();
        var builder = Builder();
        var first = builder.Build(Input(legacy, 81), Small);
        Assert.True(first.Report.Transcript!.Trimmed);
        legacy.Add(Turn(81, "do", Action(81), Narration(81), first.Carried));
        var second = builder.Build(Input(legacy, 82), Small);
        Assert.False(second.Report.Transcript!.Trimmed);
        Assert.Equal(first.Report.Transcript.From, second.Report.Transcript.From);
    }

    [Fact]
    public void undoing_the_newest_turn_goes_back_to_the_start_the_turn_before_recorded()
    {
        var (prompts, story) = Play(120, Builder());
        var trimAt = prompts.Where(p => Report(p).Trimmed).Skip(1).First().Turn;
        // Undo the turn whose prompt trimmed: the next prompt starts where the one before it did, and trims again.
        var undone = story
            .Where(t => t.Number <= trimAt)
            .Select(t => t.Number == trimAt ? t with { Undone = true } : t)
            .ToList();
        var again = Builder().Build(Input(undone, trimAt), Small);
        Assert.Equal(Report(prompts.Single(p => p.Turn == trimAt)).From, again.Report.Transcript!.From);
        Assert.Equal(Texts(prompts.Single(p => p.Turn == trimAt).Context.Messages), Texts(again.Messages));
    }

    [Fact]
    public void summaries_written_ahead_replace_the_turns_a_trim_drops_in_the_same_prompt()
    {
        // The summary job, as the memory observer schedules it from each report: the turns a summary is asked for,
        // in chunks of eight, each summary a line.
        var summaries = new List<StorySummary>();
        void Summarise(int? through)
        {
            var from = summaries.Count == 0 ? 0 : summaries.Max(s => s.ToTurn) + 1;
            for (; through is { } to && from <= to; from += 8)
            {
                var end = Math.Min(to, from + 7);
                summaries.Add(new StorySummary("a", 0, from, end, $"Summary of {from}-{end}.", $"{from}", Now));
            }
        }
        var builder = Builder();
        var story = new List<TurnRecord> { Turn(0, "opening", "", "The tide is out in Saltmere.", null) };
        var prompts = new List<Prompt>();
        for (var n = 1; n <= 200; n++)
        {
            var context = builder.Build(Input(story, n, [.. summaries]), Small);
            prompts.Add(new Prompt(n, context, TranscriptMessages(context)));
            story.Add(Turn(n, "do", Action(n), Narration(n), context.Carried));
            Summarise(
                new[]
                {
                    context.Report.Memory!.LeftOutThroughTurn,
                    context.Report.Memory.SummariseAheadThroughTurn,
                }.Max()
            );
        }

        var trims = prompts.Where(p => Report(p).Trimmed).ToList();
        Assert.True(trims.Count >= 3, $"{trims.Count} trims");
        foreach (var (previous, next) in prompts.Zip(prompts.Skip(1)))
        {
            if (!Report(next).Trimmed)
            {
                // Between trims the system message (with its summary slot) and the transcript stay as they were.
                Assert.Equal(
                    Texts(previous.Context.Messages.Take(previous.TranscriptMessages)),
                    Texts(next.Context.Messages.Take(previous.TranscriptMessages))
                );
                continue;
            }
            // At a trim the summary slot already covers every turn before the transcript's new first turn.
            var pieces = next.Context.Report.Memory!.Summaries;
            Assert.NotEmpty(pieces);
            Assert.Equal(Report(next).From - 1, pieces[^1].ToTurn);
            Assert.All(pieces.Zip(pieces.Skip(1)), p => Assert.Equal(p.First.ToTurn + 1, p.Second.FromTurn));
            Assert.Equal(0, pieces[0].FromTurn);
        }
    }
}
