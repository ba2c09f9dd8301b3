using System.Globalization;

namespace StoryEngine.Bench.Harness;

/// <summary>
/// The story every measurement plays: a world with a character, a persona and a place (so the system prompt is
/// the size a real one is, about 500 tokens), players' actions, and a deterministic ~60-token narration.
/// </summary>
internal static class BenchStory
{
    public const int NarrationTokens = 60;

    public static readonly object World = new
    {
        name = "The Lantern Coast",
        genre = "low fantasy",
        tone = "quiet, salt-worn, hopeful",
        description = "A ragged shoreline of fishing towns strung along cliffs, where every harbour keeps a lantern "
            + "lit through the night "
            + "because the fog that rolls in from the Grey Reach carries voices. The towns trade dried "
            + "fish, rope and rumours; the old "
            + "lighthouse keepers' guild still settles disputes, and nobody sails past the third buoy after "
            + "dark.",
        rules = "Magic is rare, slow and costs the caster a memory. There are no firearms. The dead do not come "
            + "back, though the fog can "
            + "imitate them. Travel between towns takes hours on foot or by boat.",
        style = "Second person, present tense. Two or three short paragraphs. Concrete sensory detail, sparing "
            + "dialogue, end on a choice.",
        tags = new[] { "bench", "mystery" },
    };

    public static readonly object Character = new
    {
        name = "Maren Holt",
        description = "Keeper of the Saltmere lantern for thirty years; knows every boat by the sound of its oars.",
        personality = "Gruff, dry humour, fiercely protective of the harbour children.",
        appearance = "Weathered face, oilskin coat, a brass lantern key on a cord.",
        speechStyle = "Short sentences, old sailors' sayings.",
        goals = "Find out who has been dimming the lantern on moonless nights.",
        firstMessage = "Shut the door, you're letting the fog in. Sit. Tea's stewed, but it's hot.",
    };

    /// <summary>The author's note of the card run of 'prefix': at depth 4, as SillyTavern's default.</summary>
    public const string AuthorsNote = "[Style: keep it tense; end each reply on a question the keeper must answer.]";

    /// <summary>The card's character note (<c>extensions.depth_prompt</c>), after its macro is replaced.</summary>
    public const string CardNote = "distrusts anyone who asks about the lamp.";

    /// <summary><see cref="Character"/> with every prompt field a card can carry (issue 17).</summary>
    public static readonly object CardCharacter = new
    {
        name = "Maren Holt",
        description = "Keeper of the Saltmere lantern for thirty years; knows every boat by the sound of its oars.",
        personality = "Gruff, dry humour, fiercely protective of the harbour children.",
        scenario = "A moonless week in Saltmere; someone has been dimming the lantern and two boats are overdue.",
        exampleMessages = "<START>\n{{user}}: Who keeps the lamp?\n{{char}}: I do. Thirty years. Shut the door.\n"
            + "<START>\n{{user}}: Any boats tonight?\n{{char}}: Two out. None back. Pour the tea.",
        systemPrompt = "You are {{char}} in a harbour mystery; {{original}}",
        postHistoryInstructions = "Stay in {{char}}'s voice; never speak for {{user}}.",
        firstMessage = "Shut the door, you're letting the fog in. Sit. Tea's stewed, but it's hot.",
        extensions = new
        {
            depth_prompt = new
            {
                prompt = "{{char}} " + CardNote,
                depth = 4,
                role = "system",
            },
        },
    };

    public static readonly object Persona = new
    {
        name = "Wren",
        description = "A travelling cartographer mapping the coast for the guild, better with ink than with people.",
    };

    public static readonly object Location = new
    {
        name = "Saltmere Lantern House",
        description = "A squat stone tower at the harbour mouth, its lamp room reached by ninety-one worn steps.",
    };

    private static readonly string[] Actions =
    [
        "look around the lamp room for anything out of place",
        "ask Maren who else has a key to the tower",
        "walk down to the harbour and listen to the fog",
        "check the oil stores against the ledger",
        "follow the wet footprints on the stair",
        "sketch the harbour mouth by lantern light",
    ];

    private static readonly string[] Words =
    [
        " The",
        " fog",
        " presses",
        " against",
        " the",
        " glass",
        ",",
        " thick",
        " as",
        " wool",
        ".",
        " Somewhere",
        " below",
        ",",
        " a",
        " rope",
        " creaks",
        " and",
        " a",
        " gull",
        " complains",
        ".",
        " Maren",
        " sets",
        " down",
        " her",
        " cup",
        " and",
        " watches",
        " you",
        " with",
        " narrowed",
        " eyes",
        ",",
        " as",
        " if",
        " measuring",
        " the",
        " weight",
        " of",
        " a",
        " catch",
        ".",
        " The",
        " lantern",
        " hums",
        ";",
        " its",
        " light",
        " bends",
        " strangely",
        " where",
        " the",
        " mist",
        " is",
        " thickest",
        ".",
        " What",
        " do",
        " you",
        " do",
        "?",
    ];

    /// <summary>
    /// A 300-entry world lorebook for the prefix measurement with lore on: 10 constant entries, one entry per action
    /// (scan depth 1, so triggered lore changes every turn), entries on words every narration uses, a sticky and a
    /// probabilistic one, and 280 entries whose keys never come up.
    /// </summary>
    public static object Lorebook()
    {
        var entries = new List<object>();
        var id = 0;
        string Lore(string topic) =>
            $"{topic}: "
            + string.Join(
                " ",
                Enumerable.Repeat("Salt-stained records say " + "the coast remembers everything it is told.", 3)
            );
        for (var i = 0; i < 10; i++)
        {
            entries.Add(
                new
                {
                    id = id++,
                    constant = true,
                    insertionOrder = i,
                    content = Lore($"Constant fact {i}"),
                }
            );
        }
        foreach (var key in new[] { "lamp room", "key", "harbour", "oil stores", "footprints", "sketch" })
        {
            entries.Add(
                new
                {
                    id = id++,
                    keys = new[] { key },
                    scanDepth = 1,
                    content = Lore($"About the {key}"),
                }
            );
        }
        foreach (var key in new[] { "fog", "rope", "gull", "lantern", "Maren" })
        {
            entries.Add(
                new
                {
                    id = id++,
                    keys = new[] { key },
                    matchWholeWords = true,
                    content = Lore($"About {key}"),
                }
            );
        }
        entries.Add(
            new
            {
                id = id++,
                keys = new[] { "ledger" },
                sticky = 3,
                content = Lore("The ledger"),
            }
        );
        entries.Add(
            new
            {
                id = id++,
                keys = new[] { "tower" },
                probability = 50,
                content = Lore("The tower"),
            }
        );
        while (id < 300)
        {
            entries.Add(
                new
                {
                    id = id,
                    keys = new[] { $"unheard-of {id}", $"/never{id}/i" },
                    content = Lore($"Unused {id}"),
                }
            );
            id++;
        }
        return new { name = "Lantern Coast lore", entries };
    }

    /// <summary>The player's action for turn <paramref name="number"/>.</summary>
    public static string Action(int number) =>
        Actions[number % Actions.Length] + " (" + number.ToString(CultureInfo.InvariantCulture) + ")";

    /// <summary>A narration of <paramref name="count"/> tokens, varied by <paramref name="seed"/>.</summary>
    public static string[] NarrationTokensFor(int seed, int count = NarrationTokens)
    {
        var tokens = new string[count];
        var offset = (int)((uint)seed % (uint)Words.Length);
        for (var i = 0; i < count; i++)
        {
            tokens[i] = Words[(offset + i) % Words.Length];
        }
        return tokens;
    }

    public static string Narration(int seed) => string.Concat(NarrationTokensFor(seed));
}
