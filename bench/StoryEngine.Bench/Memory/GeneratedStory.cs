namespace StoryEngine.Bench.Memory;

/// <summary>
/// A generated adventure for the recall benchmarks: filler turns that wander between the same people, places and
/// objects, and planted facts (an object put somewhere, once each) with a question about each. Distractors are on
/// purpose: every object is also mentioned in filler turns, so finding the fact means ranking, not just matching.
/// </summary>
internal sealed class GeneratedStory
{
    private static readonly string[] Names =
    [
        "Maren",
        "Tobias",
        "Elsa",
        "Corvin",
        "Ida",
        "Halvard",
        "Nessa",
        "Oskar",
        "Brigid",
        "Aldous",
        "Petra",
        "Ulrik",
        "Sable",
        "Wendel",
        "Yara",
        "Fenn",
    ];
    private static readonly string[] Places =
    [
        "lighthouse",
        "chapel",
        "boathouse",
        "market",
        "cellar",
        "orchard",
        "granary",
        "smithy",
        "harbour wall",
        "bell tower",
        "old mill",
        "tavern",
        "library",
        "watchtower",
        "ferry dock",
        "salt flats",
        "greenhouse",
        "stables",
        "quarry",
        "crypt",
    ];
    private static readonly string[] Adjectives =
    [
        "brass",
        "silver",
        "copper",
        "iron",
        "ivory",
        "glass",
        "oak",
        "jade",
        "amber",
        "bone",
        "tin",
        "velvet",
    ];
    private static readonly string[] Nouns =
    [
        "key",
        "compass",
        "locket",
        "lantern",
        "ledger",
        "dagger",
        "flute",
        "map",
        "ring",
        "spyglass",
        "seal",
        "hourglass",
        "whistle",
        "coin",
        "mirror",
        "bottle",
        "charm",
        "box",
    ];
    private static readonly string[] Hiding = ["hide", "tuck", "bury", "stash", "leave", "lock"];
    private static readonly string[] Spots =
    [
        "under the floor of the",
        "behind a loose stone in the",
        "inside a barrel in the",
        "beneath the steps of the",
        "on a high shelf in the",
    ];
    private static readonly string[] Weather =
    [
        "Fog rolls in from the sea.",
        "Rain drums on the roofs.",
        "The wind turns cold.",
        "Gulls wheel overhead.",
        "The bells ring for noon.",
    ];

    public sealed record Turn(int Number, string Action, string Narration);

    public sealed record Question(string Text, int FactTurn);

    public List<Turn> Turns { get; } = [];

    public List<Question> Questions { get; } = [];

    public GeneratedStory(int turns, int facts, int seed)
    {
        var random = new Random(seed);
        var objects = Adjectives.SelectMany(a => Nouns.Select(n => $"{a} {n}")).OrderBy(_ => random.Next()).ToArray();
        var factTurns = Enumerable
            .Range(1, turns - 1)
            .OrderBy(_ => random.Next())
            .Take(Math.Min(facts, objects.Length))
            .ToHashSet();
        var nextObject = 0;
        for (var n = 1; n <= turns; n++)
        {
            var name = Pick(random, Names);
            var place = Pick(random, Places);
            if (factTurns.Contains(n))
            {
                var thing = objects[nextObject++];
                var spot = Pick(random, Spots);
                Turns.Add(
                    new Turn(
                        n,
                        $"I {Pick(random, Hiding)} the {thing} {spot} {place}",
                        $"{name} watches as the {thing} disappears {spot} {place}. {Pick(random, Weather)} No one else "
                            + "sees where it went."
                    )
                );
                Questions.Add(new Question($"Where did I put the {thing}?", n));
                continue;
            }
            // Half the filler turns mention some object, none of them saying where it is kept.
            var mention = random.Next(2) == 0 ? $" and ask about the {objects[random.Next(objects.Length)]}" : "";
            Turns.Add(
                new Turn(
                    n,
                    $"I walk with {name} to the {place}{mention}",
                    $"{Pick(random, Weather)} {name} talks about the {Pick(random, Places)} and the people of the town."
                        + (
                            mention.Length > 0
                                ? " Nobody knows much about the "
                                    + mention[(mention.LastIndexOf("the ", StringComparison.Ordinal) + 4)..]
                                    + "."
                                : ""
                        )
                )
            );
        }
    }

    private static string Pick(Random random, string[] items) => items[random.Next(items.Length)];
}
