using System.Globalization;
using System.Text;
using StoryEngine.Core.Narration;
using StoryEngine.Core.Stories;

namespace StoryEngine.Core.Memory;

/// <summary>What of a turn is remembered, and which words of a query are worth searching for.</summary>
public static class MemoryText
{
    private const int MaxTerms = 24;

    // Words that match almost every turn and would drown the ones that matter; English only, like the stemmer.
    private static readonly HashSet<string> StopWords = new(
        """
        a an and are as at be but by can did do does for from had has have he her his how i if in into is it its me my
        no not of on or our she so than that the their them then there these they this to up was we were what when
        where which who why will with you your yours about after again all also am any back been before being both
        could down each few get go going got him just know like look made make many more most much must now off once
        only other out over own said same say says see some such take tell than too under very want way well went here
        would us let lets
        """.Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries),
        StringComparer.Ordinal
    );

    /// <summary>The player's move and the chosen narration: what a later prompt is reminded of.</summary>
    public static string Of(TurnRecord turn)
    {
        var narration = turn.ChosenNarration.Text.Trim();
        if (turn.Kind == "opening" || turn.PlayerText.Length == 0)
        {
            return narration;
        }
        var action = new PlayerAction(turn.Kind, turn.PlayerText).ToPrompt();
        return narration.Length == 0 ? action : action + "\n" + narration;
    }

    /// <summary>Distinct lower-case words of at least three letters that are not stop words, in order of first
    /// use.</summary>
    public static IReadOnlyList<string> Terms(string text)
    {
        var terms = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var word = new StringBuilder();
        foreach (var c in text.Append(' '))
        {
            if (char.IsLetterOrDigit(c))
            {
                word.Append(char.ToLower(c, CultureInfo.InvariantCulture));
                continue;
            }
            if (word.Length >= 3 && !StopWords.Contains(word.ToString()) && seen.Add(word.ToString()))
            {
                terms.Add(word.ToString());
                if (terms.Count == MaxTerms)
                {
                    break;
                }
            }
            word.Clear();
        }
        return terms;
    }
}
