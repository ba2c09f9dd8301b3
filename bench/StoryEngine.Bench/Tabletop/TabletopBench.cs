using System.Diagnostics;
using System.Globalization;
using StoryEngine.Core.Stories;
using StoryEngine.Core.Tabletop;
using StoryEngine.Core.Tabletop.Dice;
using StoryEngine.Core.Tabletop.Rules;
using StoryEngine.Core.Tabletop.Sheets;

namespace StoryEngine.Bench.Tabletop;

/// <summary>
/// Issue 23's figures (bench/tabletop.sh):
/// <c>dice-rate</c>: rolls a second on the server's CSPRNG, parse and roll, for a few expressions;
/// <c>rules-turn</c>: what rules mode adds to a turn's preparation on this process — bringing the adventure's table up
/// to date with the events one turn adds (a roll, an HP change, a turn of the fight) and writing the table's prompt
/// section — for a table of 4 sheets, a fight of 6 and 200 earlier rolls. The log's tail read that precedes it is the
/// same indexed query the world state's fold makes (measured under "Per-turn overhead").
/// </summary>
internal static class TabletopBench
{
    public const string Usage = """
        usage: StoryEngine.Bench dice-rate [--seconds N]
               StoryEngine.Bench rules-turn [--turns N]
        """;

    public static int Run(string[] args, TextWriter output)
    {
        var seconds = 2;
        var turns = 20_000;
        for (var i = 1; i + 1 < args.Length; i += 2)
        {
            var ok = int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var n) && n > 0;
            switch (args[i])
            {
                case "--seconds" when ok && n <= 60:
                    seconds = n;
                    break;
                case "--turns" when ok && n <= 1_000_000:
                    turns = n;
                    break;
                default:
                    Console.Error.WriteLine(Usage);
                    return 2;
            }
        }
        return args[0] switch
        {
            "dice-rate" => DiceRate(seconds, output),
            "rules-turn" => RulesTurn(turns, output),
            _ => 2,
        };
    }

    private static int DiceRate(int seconds, TextWriter output)
    {
        output.WriteLine("| expression | rolls/s (parse + roll, one thread) | dice/s |");
        output.WriteLine("|---|---:|---:|");
        foreach (var expression in new[] { "1d20", "1d20+5", "4d6dl1", "8d6!", "1d20+1d4+3", "20d10>=8" })
        {
            var terms = DiceParser.Parse(expression);
            var dicePerRoll = 0L;
            var rolls = 0L;
            var watch = Stopwatch.StartNew();
            while (watch.Elapsed.TotalSeconds < seconds)
            {
                for (var i = 0; i < 1000; i++)
                {
                    var roll = DiceRoller.Crypto.Roll(expression);
                    dicePerRoll += roll.Terms.Sum(t => t.Dice.Count);
                }
                rolls += 1000;
            }
            var rate = rolls / watch.Elapsed.TotalSeconds;
            output.WriteLine(
                string.Create(
                    CultureInfo.InvariantCulture,
                    $"| `{expression}` | {rate:N0} | {dicePerRoll / watch.Elapsed.TotalSeconds:N0} |"
                )
            );
            _ = terms;
        }
        return 0;
    }

    private static int RulesTurn(int turns, TextWriter output)
    {
        var rules = RulesCatalog.Builtin();
        var roller = new DiceRoller(CryptoDiceSource.Instance);
        var log = new List<StoryEvent>();
        void Add(IStoryEventPayload p) =>
            log.Add(StoryEvent.Create("bench", log.Count + 1, p, "owner", DateTimeOffset.UnixEpoch));
        Add(new OpeningWritten("t0", "Once", "setting"));
        string[] names = ["Ada", "Brom", "Cael", "Dara"];
        foreach (var name in names)
        {
            Add(
                new SheetSaved(
                    "t0",
                    new CharacterSheet(
                        name,
                        new Dictionary<string, int>
                        {
                            ["str"] = 12,
                            ["dex"] = 16,
                            ["wis"] = 14,
                        },
                        5,
                        "elf",
                        "rogue",
                        Skills: ["stealth", "perception"],
                        Hp: new HitPoints(30, 30),
                        Inventory: ["rope", "dagger", "lantern"]
                    ),
                    "created"
                )
            );
        }
        Add(
            new CombatStarted(
                "t0",
                "c",
                [
                    .. names.Select((n, i) => new Combatant(n, 20 - i, 30, 30, 14, false)),
                    new("Ogre", 8, 59, 59),
                    new("Wolf", 12, 11, 11),
                ]
            )
        );
        for (var i = 0; i < 200; i++)
        {
            var r = roller.Roll("1d20+5");
            Add(new DiceRolled($"r{i}", "t0", "player", r.Expression, r.Total, r.Text, r.Terms, "Ada", "Stealth"));
        }
        var fold = new TabletopFold();
        fold.Apply(log);
        var view = new TabletopView("bench", fold.Current, rules, "t0");
        TabletopPrompt.Render(view, tools: true);

        var samples = new double[turns];
        for (var t = 0; t < turns; t++)
        {
            var turnId = $"t{t + 1}";
            var start = Stopwatch.GetTimestamp();
            // What one turn of a rules game adds to the log, then the prompt section the next turn is sent.
            var r = roller.Roll("1d20+5");
            Add(new ActionTaken(turnId, t + 1, "do", "I strike"));
            Add(new DiceRolled($"x{t}", turnId, "player", r.Expression, r.Total, r.Text, r.Terms, "Ada", "Attack"));
            Add(new HitPointsChanged(turnId, "Ogre", t % 2 == 0 ? -3 : 3));
            Add(new CombatTurnEnded(turnId));
            fold.Apply(log.Skip(log.Count - 4));
            var text = TabletopPrompt.Render(
                new TabletopView("bench", fold.Current, rules, fold.NewestTurnId),
                tools: true
            );
            samples[t] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            if (text.Length == 0)
            {
                return 1;
            }
        }
        Array.Sort(samples);
        double P(double q) => samples[(int)Math.Min(samples.Length - 1, q * samples.Length)];
        output.WriteLine("| turns | p50 ms | p95 ms | p99 ms | max ms |");
        output.WriteLine("|---:|---:|---:|---:|---:|");
        output.WriteLine(
            string.Create(
                CultureInfo.InvariantCulture,
                $"| {turns:N0} | {P(0.5):F3} | {P(0.95):F3} | {P(0.99):F3} | {samples[^1]:F3} |"
            )
        );
        return 0;
    }
}
