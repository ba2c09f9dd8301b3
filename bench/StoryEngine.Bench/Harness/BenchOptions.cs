using System.Globalization;

namespace StoryEngine.Bench.Harness;

/// <summary>
/// The command line: <c>&lt;measurement|all&gt; [--postgres CONNECTION] [--quick]</c> plus optional count overrides.
/// Every count is bounded so <c>all</c> ends in a few minutes on a two-core machine.
/// </summary>
internal sealed record BenchOptions
{
    public const string Usage = """
        usage: StoryEngine.Bench <measurement> [options]
          measurements: overhead | append | ttft | prefix | concurrent | lore | all
          --postgres CONNECTION   run against PostgreSQL (a throwaway database is created
                                  on that server and dropped after)
          --quick                 small counts, for checking that the harness works
          --sizes 1000,10000,...  adventure sizes for 'overhead' (default 1000,10000,100000)
          --turns N               measured turns per size for 'overhead' (default 200)
          --samples N             samples for 'append' (default 500) and 'ttft' (default 200)
          --users N               concurrent streaming adventures for 'concurrent' (default 1000)
          --lore                  'prefix' with a 300-entry world lorebook whose keys the story mentions
          --state                 'prefix' with world state extracted after every turn (a scripted utility model)
          --card                  'prefix' with a card using every prompt field (system prompt, scenario, example
                                  dialogue, post-history instructions, a depth-4 character note) and the
                                  adventure's memory and an author's note at depth 4
          --dump-prompts DIR      'prefix' writes every prompt it captured to DIR/NNN.txt, to see where two differ
          --context N             'prefix' with a model window of N tokens (default 8192; the reply keeps a
                                  quarter, at most 1024), e.g. 4096 so the story outgrows it early
          --low-water N           'prefix' with Narrator:TranscriptLowWaterPercent=N (what a trim leaves, % of budget)
          --lore-samples N        activations measured by 'lore' (default 5000)
          --rounds N              run each measurement N times and print the median and spread of every number
                                  (default 3; 1 prints a single run)
        """;

    public static readonly IReadOnlyList<string> Measurements =
    [
        "overhead",
        "append",
        "ttft",
        "prefix",
        "concurrent",
        "lore",
    ];

    public required string Measurement { get; init; }

    public string? Postgres { get; init; }

    public IReadOnlyList<int> Sizes { get; init; } = [1_000, 10_000, 100_000];

    public int Turns { get; init; } = 200;

    public int AppendSamples { get; init; } = 500;

    public int TtftSamples { get; init; } = 200;

    public int PrefixTurns { get; init; } = 200;

    public int Users { get; init; } = 1_000;

    public int LoreSamples { get; init; } = 5_000;

    /// <summary>How many times each measurement runs; the report gives the median and spread
    /// (Harness/Rounds).</summary>
    public int Rounds { get; init; } = 3;

    /// <summary>'prefix' plays with a world lorebook, so constant and triggered lore are in every prompt.</summary>
    public bool PrefixWithLore { get; init; }
    public bool PrefixWithCard { get; init; }

    /// <summary>'prefix' extracts world state after every turn (and summarises), waiting for those jobs before the next
    /// turn.</summary>
    public bool PrefixWithState { get; init; }

    /// <summary>'prefix': the model window in tokens (the reply reserve derived as ConfiguredNarrator does).</summary>
    public int PrefixContextTokens { get; init; } = 8_192;

    /// <summary>'prefix': Narrator:TranscriptLowWaterPercent, when set.</summary>
    public int? PrefixLowWater { get; init; }

    /// <summary>'prefix' writes each captured prompt here, one file per turn.</summary>
    public string? DumpPromptsTo { get; init; }

    public string Engine => Postgres is null ? "sqlite" : "postgres";

    /// <summary>The options, or null with the problem written to <paramref name="error"/>.</summary>
    public static BenchOptions? Parse(string[] args, TextWriter error)
    {
        if (args.Length == 0 || (args[0] != "all" && !Measurements.Contains(args[0])))
        {
            error.WriteLine(Usage);
            return null;
        }
        var options = new BenchOptions { Measurement = args[0] };
        for (var i = 1; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--quick":
                    options = options with
                    {
                        Sizes = [200, 1_000, 5_000],
                        Turns = 30,
                        AppendSamples = 50,
                        TtftSamples = 20,
                        PrefixTurns = 120,
                        Users = 50,
                        LoreSamples = 500,
                        Rounds = 1,
                    };
                    continue;
                case "--lore":
                    options = options with { PrefixWithLore = true };
                    continue;
                case "--card":
                    options = options with { PrefixWithCard = true };
                    continue;
                case "--state":
                    options = options with { PrefixWithState = true };
                    continue;
                case "--rounds" when value is not null:
                    options = options with { Rounds = Math.Max(1, Number(value)) };
                    break;
                case "--lore-samples" when value is not null:
                    options = options with { LoreSamples = Number(value) };
                    break;
                case "--low-water" when value is not null:
                    options = options with { PrefixLowWater = Number(value) };
                    break;
                case "--context" when value is not null:
                    options = options with { PrefixContextTokens = Number(value) };
                    break;
                case "--dump-prompts" when value is not null:
                    options = options with { DumpPromptsTo = value };
                    break;
                case "--postgres" when value is not null:
                    options = options with { Postgres = value };
                    break;
                case "--sizes" when value is not null:
                    options = options with { Sizes = value.Split(',').Select(Number).ToArray() };
                    break;
                case "--turns" when value is not null:
                    options = options with { Turns = Number(value) };
                    break;
                case "--samples" when value is not null:
                    options = options with { AppendSamples = Number(value), TtftSamples = Number(value) };
                    break;
                case "--users" when value is not null:
                    options = options with { Users = Number(value) };
                    break;
                default:
                    error.WriteLine($"unknown or incomplete option '{args[i]}'");
                    error.WriteLine(Usage);
                    return null;
            }
            i++;
        }
        return options;
    }

    private static int Number(string text) => int.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);
}
