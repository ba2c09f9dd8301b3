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
    private sealed record Prompt(int Turn, string Text, int SystemLength, bool OverBudget, int EstimatedTokens);

    public static async Task RunAsync(BenchOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        var extras = new[]
        {
            options.PrefixWithLore ? "lore" : null,
            options.PrefixWithState ? "world state" : null,
            options.PrefixWithLore || options.PrefixWithState ? "recall" : null,
        }
            .OfType<string>()
            .ToList();
        output.WriteLine(
            extras.Count > 0
                ? $"### 4. Prompt prefix stability, with {string.Join(", ", extras)} (issue 5)"
                : "### 4. Prompt prefix stability"
        );
        output.WriteLine();
        var narrator = new InstantNarrator(InstantNarrator.DefaultSettings);
        var captured = new List<(string Text, int SystemLength)>();
        narrator.OnPrompt = messages =>
        {
            lock (captured)
            {
                captured.Add((Serialize(messages), Serialize(messages.Take(1)).Length));
            }
        };
        await using var database = await BenchDatabase.CreateAsync(options.Postgres);
        await using var host = await BenchHost.StartAsync(
            database,
            narrator: narrator,
            utility: options.PrefixWithState ? new BenchUtilityModel() : null
        );
        using var http = StoryApi.CreateClient(host.BaseAddress);
        var api = new StoryApi(http);
        var user = await api.RegisterAsync("prefix", cancellationToken);
        var adventureId = await api.CreateAdventureAsync(user, cancellationToken);
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
            var (text, systemLength) = captured[turn - 1];
            prompts.Add(
                new Prompt(
                    turn,
                    text,
                    systemLength,
                    report.LeftOut.Count > 0 || report.Lore?.NotFired.Any(n => n.Reason == "budget") == true,
                    report.EstimatedTokens
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
                + $"{narrator.Settings.PromptBudget}. Each prompt is serialised as role + content of every "
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

    private static async Task SettleJobsAsync(IJobStore jobs, string adventureId, CancellationToken cancellationToken)
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
