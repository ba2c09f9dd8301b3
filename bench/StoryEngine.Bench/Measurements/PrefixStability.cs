using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;
using StoryEngine.Bench.Backends;
using StoryEngine.Bench.Harness;
using StoryEngine.Core.Jobs;
using StoryEngine.Core.Narration;
using StoryEngine.Core.Stories;

namespace StoryEngine.Bench.Measurements;

/// <summary>
/// Issue 3, benchmark 4: how much of each prompt the next turn's prompt repeats exactly from its start, which
/// is what a backend's prompt cache can reuse. A 200-turn adventure is played through TurnService with the
/// <see cref="InstantNarrator"/> recording the exact messages; with the default 8,192-token window the transcript
/// outgrows the prompt budget partway, and the stored context report of each turn says whether anything was cut.
/// </summary>
internal static class PrefixStability
{
    private sealed record Prompt(
        int Turn,
        string Text,
        int SystemLength,
        bool OverBudget,
        int EstimatedTokens,
        int TranscriptEnd,
        int? TranscriptFrom
    );

    public static async Task RunAsync(BenchOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        var extras = new[]
        {
            options.PrefixWithLore ? "lore" : null,
            options.PrefixWithState ? "world state" : null,
            options.PrefixWithLore || options.PrefixWithState ? "recall" : null,
            options.PrefixWithCard ? "every card field, memory and an author's note at depth 4" : null,
        }
            .OfType<string>()
            .ToList();
        output.WriteLine(
            extras.Count > 0
                ? $"### 4. Prompt prefix stability, with {string.Join(", ", extras)} (issue 5)"
                : "### 4. Prompt prefix stability"
        );
        output.WriteLine();
        var window = options.PrefixContextTokens;
        var narrator = new InstantNarrator(
            new NarratorSettings(window, Math.Min(1_024, window / 4), InstantNarrator.DefaultSettings.Model)
        );
        var captured = new List<(string Text, int SystemLength, int TranscriptEnd)>();
        narrator.OnPrompt = messages =>
        {
            lock (captured)
            {
                captured.Add((Serialize(messages), Serialize(messages.Take(1)).Length, TranscriptEnd(messages)));
            }
        };
        await using var database = await BenchDatabase.CreateAsync(options.Postgres);
        await using var host = await BenchHost.StartAsync(
            database,
            options.PrefixLowWater is { } lowWater
                ? new Dictionary<string, string?>
                {
                    ["Narrator:TranscriptLowWaterPercent"] = lowWater.ToString(CultureInfo.InvariantCulture),
                }
                : null,
            narrator: narrator,
            utility: options.PrefixWithState ? new BenchUtilityModel() : null
        );
        using var http = StoryApi.CreateClient(host.BaseAddress);
        var api = new StoryApi(http);
        var user = await api.RegisterAsync("prefix", cancellationToken);
        var adventureId = await api.CreateAdventureAsync(
            user,
            cancellationToken,
            options.PrefixWithCard ? BenchStory.CardCharacter : null
        );
        if (options.PrefixWithCard)
        {
            await api.PatchAdventureAsync(
                user,
                adventureId,
                new
                {
                    memory = "Maren's brother drowned the night the lamp failed, twenty years ago.",
                    authorsNote = new { text = BenchStory.AuthorsNote, depth = 4 },
                },
                cancellationToken
            );
        }
        if (options.PrefixWithLore)
        {
            await api.AddLorebookAsync(user, adventureId, BenchStory.Lorebook(), cancellationToken);
        }
        var turns = host.Get<TurnService>();
        var log = host.Get<IStoryLog>();

        var jobs = host.Get<IJobStore>();
        var prompts = new List<Prompt>();
        var loreFired = 0;
        var recalled = 0;
        var stateTokens = 0;
        for (var turn = 1; turn <= options.PrefixTurns; turn++)
        {
            var run = await turns.TakeTurnAsync(user.Id, adventureId, "do", BenchStory.Action(turn), cancellationToken);
            await foreach (var item in run.ReadAsync(int.MaxValue - 1, cancellationToken))
            {
                if (item is OutcomeItem { Succeeded: false } failed)
                {
                    throw new InvalidOperationException($"Turn {turn} failed: {failed.FailureMessage}");
                }
            }
            if (options.PrefixWithState)
            {
                // this turn's state is in the next prompt, as in play at a human pace
                await SettleJobsAsync(jobs, adventureId, cancellationToken);
            }
            var report = JsonSerializer.Deserialize<ContextReport>(
                (await log.GetContextAsync(adventureId, run.TurnId, 0, cancellationToken))!,
                StoryEventJson.Options
            )!;
            var (text, systemLength, transcriptEnd) = captured[turn - 1];
            prompts.Add(
                new Prompt(
                    turn,
                    text,
                    systemLength,
                    report.LeftOut.Count > 0 || report.Lore?.NotFired.Any(n => n.Reason == "budget") == true,
                    report.EstimatedTokens,
                    transcriptEnd,
                    TranscriptFrom(report)
                )
            );
            loreFired += report.Lore?.Fired.Count ?? 0;
            recalled += report.Memory?.Recalled.Count(m => m.Included) ?? 0;
            stateTokens += report.Sections.FirstOrDefault(s => s.Name == "world state")?.EstimatedTokens ?? 0;
        }

        if (options.DumpPromptsTo is { } dump)
        {
            Directory.CreateDirectory(dump);
            foreach (var p in prompts)
            {
                await File.WriteAllTextAsync(Path.Combine(dump, $"{p.Turn:000}.txt"), p.Text, cancellationToken);
            }
        }
        var pairs = prompts
            .Zip(prompts.Skip(1), (previous, next) => (previous, next, Share: Share(previous.Text, next.Text)))
            .ToList();
        var table = new MarkdownTable(
            "phase",
            "turn pairs",
            "mean share",
            "min share",
            "p50 share",
            "prompt size (est. tokens)"
        );
        Row(table, "under budget (nothing cut from either prompt)", pairs.Where(p => !p.next.OverBudget).ToList());
        Row(
            table,
            "crossing (first prompt that had to " + "cut)",
            pairs.Where(p => !p.previous.OverBudget && p.next.OverBudget).ToList()
        );
        Row(
            table,
            "over budget (oldest turns cut from " + "both)",
            pairs.Where(p => p.previous.OverBudget && p.next.OverBudget).ToList()
        );
        var firstCut = prompts.FirstOrDefault(p => p.OverBudget);
        var last = prompts[^1];
        output.WriteLine(
            $"Engine {database.Engine}. {options.PrefixTurns} turns; model window "
                + $"{narrator.Settings.ContextTokens} tokens, prompt budget "
                + $"{narrator.Settings.PromptBudget}"
                + (options.PrefixLowWater is { } w ? $", transcript trimmed down to {w}% of its budget" : "")
                + ". Each prompt is serialised as role + content of every "
                + "message in order; a pair's share is the length "
                + "of the longest common prefix of the two prompts divided by the length of the earlier one."
        );
        if (options.PrefixWithLore)
        {
            output.WriteLine(
                "With a 300-entry world lorebook (constant entries in the system prompt, triggered "
                    + "ones in the turn's carried block just "
                    + "before the action, which stays with that turn; ADR 29); on average "
                    + $"{(double)loreFired / options.PrefixTurns:0.0} entries fired per turn. A turn counts as over "
                    + "budget when "
                    + "transcript turns or lore entries were cut."
            );
        }
        if (options.PrefixWithState)
        {
            output.WriteLine(
                "With world state extracted after every turn by a scripted utility model (the player "
                    + "moves every turn, Maren every third, "
                    + "an item every tenth, time of day every eighth) and summaries when the transcript "
                    + "outgrows its budget; the next turn waits for "
                    + $"those jobs. On average {(double)stateTokens / options.PrefixTurns:0.0} tokens of "
                    + "state lines per prompt and "
                    + $"{(double)recalled / options.PrefixTurns:0.00} recalled memories per prompt."
            );
        }
        output.WriteLine();
        table.WriteTo(output);
        if (options.PrefixWithCard)
        {
            NoteReuse(output, pairs);
        }
        TranscriptReuse(output, pairs);
        output.WriteLine(
            firstCut is null
                ? "The transcript never outgrew the budget; raise the turn count."
                : $"The budget was first exceeded at turn {firstCut.Turn}. From then on every turn drops the oldest "
                    + "turn(s) from the front of the transcript, "
                    + "so the prompts agree only up to the end of the system message "
                    + $"({100.0 * last.SystemLength / last.Text.Length:0.0}% of the last prompt). "
                    + "Target (issue 3): ≥ 95% while under budget."
        );
        output.WriteLine();
    }

    internal static async Task SettleJobsAsync(IJobStore jobs, string adventureId, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        string[] unfinished = [JobStates.Queued, JobStates.Running, JobStates.Failed];
        while (true)
        {
            var waiting = new List<string>();
            foreach (var state in unfinished)
            {
                if (
                    (await jobs.ListAsync(new JobListQuery(null, adventureId, state, 1, null), cancellationToken)).Count
                    > 0
                )
                {
                    waiting.Add(state);
                }
            }
            if (waiting.Count == 0)
            {
                return;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException(
                    "The adventure's background jobs did not finish within a minute "
                        + $"(some are still {string.Join(", ", waiting)})."
                );
            }
            await Task.Delay(5, cancellationToken);
        }
    }

    /// <summary>
    /// With an author's note the prompts can agree at most up to where the earlier one put the note (it moves down
    /// with every turn): counts the pairs that reuse everything before it, and what the note's depth costs, the share
    /// of the earlier prompt after the note's start.
    /// </summary>
    private static void NoteReuse(TextWriter output, List<(Prompt previous, Prompt next, double Share)> pairs)
    {
        var withNote = pairs
            .Select(p => (p.previous, p.next, At: NoteStart(p.previous.Text)))
            .Where(p => p.At > 0)
            .ToList();
        if (withNote.Count == 0)
        {
            output.WriteLine("The author's note was not found in the prompts.");
            return;
        }
        var reused = withNote.Count(p => p.previous.Text.AsSpan().CommonPrefixLength(p.next.Text) >= p.At);
        var cost = new Percentiles(withNote.Select(p => 1 - (double)p.At / p.previous.Text.Length));
        var underBudget = withNote.Where(p => !p.next.OverBudget).ToList();
        var reusedUnder = underBudget.Count(p => p.previous.Text.AsSpan().CommonPrefixLength(p.next.Text) >= p.At);
        output.WriteLine(
            $"Author's note at depth 4: {reused} of {withNote.Count} turn pairs "
                + $"({100.0 * reused / withNote.Count:0.0}%) reuse the whole prompt before where the earlier one put "
                + "its first message at a depth (the card's character note, just before the author's note) "
                + $"({reusedUnder} of {underBudget.Count} while under budget). What the note's depth costs: "
                + $"the part of a prompt from the note on, which the next one cannot reuse, is {Pct(cost.Mean)} of it "
                + $"on average (p50 {Pct(cost.P50)}, max {Pct(cost.Max)})."
        );
        output.WriteLine();
    }

    // Where the first message put at a depth starts in a serialised prompt ("role\ntext\n\n"): the card's character
    // note and the author's note both sit 4 messages from the end, next to each other, and move down every turn.
    private static int NoteStart(string prompt)
    {
        var starts = new[] { BenchStory.AuthorsNote, BenchStory.CardNote }
            .Select(text => prompt.IndexOf(text, StringComparison.Ordinal))
            .Where(at => at > 0)
            .Select(at => prompt.LastIndexOf("\n\n", at, StringComparison.Ordinal) + 2)
            .ToList();
        return starts.Count == 0 ? -1 : starts.Min();
    }

    /// <summary>
    /// Issue 19: the share of turn pairs whose later prompt repeats the earlier one at least through the end of its
    /// transcript (everything but its own volatile block and action), which is what a backend's cache keeps between
    /// turns, and how often the transcript's first turn moved.
    /// </summary>
    private static void TranscriptReuse(TextWriter output, List<(Prompt previous, Prompt next, double Share)> pairs)
    {
        static bool Reused((Prompt previous, Prompt next, double Share) p) =>
            p.previous.Text.AsSpan().CommonPrefixLength(p.next.Text) >= p.previous.TranscriptEnd;
        var over = pairs.Where(p => p.next.OverBudget).ToList();
        var reused = pairs.Count(Reused);
        var reusedOver = over.Count(Reused);
        var moves = pairs.Count(p => p.previous.TranscriptFrom != p.next.TranscriptFrom);
        var starts = pairs.Select(p => p.next.TranscriptFrom).OfType<int>().Distinct().ToList();
        output.WriteLine(
            $"Through the transcript (issue 19): **{reused} of {pairs.Count} turn pairs "
                + $"({Pct((double)reused / pairs.Count)}) "
                + "reuse the earlier prompt at least through the end of its transcript** (everything before its own "
                + $"volatile block and action); {reusedOver} of {over.Count} "
                + $"({(over.Count == 0 ? "–" : Pct((double)reusedOver / over.Count))}) where the later prompt had to "
                + $"cut. Mean reused share of the earlier prompt: {Pct(pairs.Average(p => p.Share))} over all pairs, "
                + $"{(over.Count == 0 ? "–" : Pct(over.Average(p => p.Share)))} where the later one cut. The "
                + $"transcript's first turn moved in {moves} of {pairs.Count} pairs "
                + $"({starts.Count} distinct first turns: {string.Join(", ", starts.Take(60))})."
        );
        output.WriteLine();
    }

    // Where the transcript of a serialised prompt ends: after its last assistant message (every bench turn is
    // narrated, so the transcript ends with one; the new turn's volatile block and action come after it).
    private static int TranscriptEnd(IReadOnlyList<ChatMessage> messages)
    {
        var last = -1;
        for (var i = 0; i < messages.Count; i++)
        {
            if (messages[i].Role == ChatRole.Assistant)
            {
                last = i;
            }
        }
        return Serialize(messages.Take(Math.Max(1, last + 1))).Length;
    }

    // The transcript's first turn as the inspector reports it ("turns a–b …").
    private static int? TranscriptFrom(ContextReport report) =>
        report.Sections.FirstOrDefault(s => s.Name == "transcript")?.Note is { } note
        && System.Text.RegularExpressions.Regex.Match(note, @"^turns (\d+)") is { Success: true } m
            ? int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)
            : null;

    private static string Serialize(IEnumerable<ChatMessage> messages)
    {
        var text = new StringBuilder();
        foreach (var message in messages)
        {
            text.Append(message.Role.Value).Append('\n').Append(message.Text).Append("\n\n");
        }
        return text.ToString();
    }

    private static double Share(string previous, string next) =>
        (double)previous.AsSpan().CommonPrefixLength(next) / previous.Length;

    private static void Row(MarkdownTable table, string phase, List<(Prompt previous, Prompt next, double Share)> pairs)
    {
        if (pairs.Count == 0)
        {
            table.Add(phase, "0", "–", "–", "–", "–");
            return;
        }
        var shares = new Percentiles(pairs.Select(p => p.Share));
        table.Add(
            phase,
            pairs.Count.ToString(CultureInfo.InvariantCulture),
            Pct(shares.Mean),
            Pct(shares.Min),
            Pct(shares.P50),
            $"{pairs.Min(p => p.next.EstimatedTokens):N0}–{pairs.Max(p => p.next.EstimatedTokens):N0}"
        );
    }

    private static string Pct(double share) => (share * 100).ToString("0.00", CultureInfo.InvariantCulture) + "%";
}
