using System.Security.Cryptography;
using System.Text;
using StoryEngine.Core.Stories;

namespace StoryEngine.Core.Memory;

/// <summary>
/// Decides, without side effects, which stored summaries no longer match the transcript (a turn under them was
/// edited or undone), which turns still need a first-layer summary, and which summaries are ready to be summarised
/// into the next layer. Ranges follow turn numbers; a summary of layer n+1 covers exactly its children's range.
/// </summary>
public static class SummaryPlan
{
    /// <summary>Summaries whose source changed, lower layers first; a stale child makes its parents stale
    /// too.</summary>
    /// <param name="check">
    /// Which first-layer summaries to hash again (all when null); the others are taken as they are, because no turn
    /// under
    /// them changed since they were last checked, and <paramref name="liveTurns"/> need only hold the turns under those
    /// checked.
    /// </param>
    public static IReadOnlyList<StorySummary> Stale(
        IReadOnlyList<StorySummary> summaries,
        IReadOnlyList<TurnRecord> liveTurns,
        Func<StorySummary, bool>? check = null
    )
    {
        var stale = new List<StorySummary>();
        var valid = new List<StorySummary>();
        foreach (var s in summaries.OrderBy(s => s.Layer).ThenBy(s => s.FromTurn))
        {
            var hash =
                s.Layer == 0
                    ? check?.Invoke(s) == false
                        ? s.SourceHash
                        : HashTurns(liveTurns.Where(t => t.Number >= s.FromTurn && t.Number <= s.ToTurn))
                    : HashSummaries(
                        valid.Where(c => c.Layer == s.Layer - 1 && c.FromTurn >= s.FromTurn && c.ToTurn <= s.ToTurn)
                    );
            (hash == s.SourceHash ? valid : stale).Add(s);
        }
        return stale;
    }

    /// <summary>The ranges of turn numbers from 0 to <paramref name="throughTurn"/> that no first-layer summary covers,
    /// in order.</summary>
    public static IReadOnlyList<(int From, int To)> UncoveredRanges(IEnumerable<StorySummary> kept, int throughTurn)
    {
        var ranges = new List<(int From, int To)>();
        var next = 0;
        foreach (var s in kept.Where(s => s.Layer == 0).OrderBy(s => s.FromTurn))
        {
            if (s.FromTurn > next && next <= throughTurn)
            {
                ranges.Add((next, Math.Min(s.FromTurn - 1, throughTurn)));
            }
            next = Math.Max(next, s.ToTurn + 1);
        }
        if (next <= throughTurn)
        {
            ranges.Add((next, throughTurn));
        }
        return ranges;
    }

    /// <summary>Runs of consecutive live turns up to <paramref name="throughTurn"/> that no first-layer summary covers,
    /// at most <paramref name="chunkTurns"/> each.</summary>
    public static IReadOnlyList<IReadOnlyList<TurnRecord>> UncoveredChunks(
        IReadOnlyList<StorySummary> kept,
        IReadOnlyList<TurnRecord> liveTurns,
        int throughTurn,
        int chunkTurns
    )
    {
        var firstLayer = kept.Where(s => s.Layer == 0).ToArray();
        var chunks = new List<IReadOnlyList<TurnRecord>>();
        var current = new List<TurnRecord>();
        foreach (var turn in liveTurns.Where(t => t.Number <= throughTurn).OrderBy(t => t.Number))
        {
            if (firstLayer.Any(s => turn.Number >= s.FromTurn && turn.Number <= s.ToTurn))
            {
                Flush();
                continue;
            }
            current.Add(turn);
            if (current.Count == chunkTurns)
            {
                Flush();
            }
        }
        Flush();
        return chunks;

        void Flush()
        {
            if (current.Count > 0)
            {
                chunks.Add(current);
                current = [];
            }
        }
    }

    /// <summary>The first run of <paramref name="fanIn"/> adjacent summaries of one layer that no summary of the next
    /// layer covers yet, lowest layer first.</summary>
    public static IReadOnlyList<StorySummary>? NextToCombine(IReadOnlyList<StorySummary> kept, int fanIn)
    {
        foreach (var layer in kept.Select(s => s.Layer).Distinct().Order())
        {
            var parents = kept.Where(s => s.Layer == layer + 1).ToArray();
            var run = new List<StorySummary>();
            foreach (var s in kept.Where(s => s.Layer == layer).OrderBy(s => s.FromTurn))
            {
                if (parents.Any(p => s.FromTurn >= p.FromTurn && s.ToTurn <= p.ToTurn))
                {
                    run.Clear();
                    continue;
                }
                run.Add(s);
                if (run.Count == fanIn)
                {
                    return run;
                }
            }
        }
        return null;
    }

    /// <summary>What the prompt shows: from the oldest turn on, the widest summary at each point, without
    /// overlaps.</summary>
    public static IReadOnlyList<StorySummary> Cover(IReadOnlyList<StorySummary> summaries)
    {
        var pieces = new List<StorySummary>();
        var coveredTo = int.MinValue;
        foreach (var s in summaries.OrderBy(s => s.FromTurn).ThenByDescending(s => s.Layer))
        {
            if (s.FromTurn > coveredTo)
            {
                pieces.Add(s);
                coveredTo = s.ToTurn;
            }
        }
        return pieces;
    }

    public static string HashTurns(IEnumerable<TurnRecord> turns) =>
        Hash(
            string.Concat(
                turns.OrderBy(t => t.Number).Select(t => $"{t.TurnId}:{t.UpdatedAt.ToUnixTimeMilliseconds()};")
            )
        );

    public static string HashSummaries(IEnumerable<StorySummary> children) =>
        Hash(
            string.Concat(
                children.OrderBy(c => c.FromTurn).Select(c => $"{c.Layer}:{c.FromTurn}:{c.ToTurn}:{c.SourceHash};")
            )
        );

    private static string Hash(string text) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..32];
}
