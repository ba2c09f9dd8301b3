using StoryEngine.Core.Narration;

namespace StoryEngine.Core.Knowledge;

/// <summary>What knowledge search found for one prompt and how much of it the prompt may take.</summary>
/// <param name="MaxPassages">At most this many passages go in (<see cref="KnowledgeOptions.PromptPassages"/>).</param>
/// <param name="MaxTokens">Prompt tokens they may use (<see cref="KnowledgeOptions.PromptTokens"/>).</param>
/// <param name="MinSimilarity">A passage found by meaning alone must be at least this similar.</param>
public sealed record KnowledgeRecall(KnowledgeResult Result, int MaxPassages, int MaxTokens, double MinSimilarity);

/// <summary>One passage considered for a prompt, cited by document and heading, whether it went in and why.</summary>
/// <param name="Reason">included; over the passage count; over the budget; not similar enough; already in triggered
/// lore.</param>
public sealed record KnowledgePassageReport(
    string DocumentId,
    string DocumentName,
    string Heading,
    int Passage,
    bool Included,
    string Reason,
    double Score,
    int? TextRank,
    int? VectorRank,
    float? Similarity,
    int EstimatedTokens
);

/// <summary>What world knowledge contributed to one prompt, for the context inspector.</summary>
/// <param name="Note">What the search could not do (the model still loading, no documents), when anything.</param>
public sealed record KnowledgeReport(string Query, string? Note, IReadOnlyList<KnowledgePassageReport> Passages);

/// <summary>
/// The "world knowledge" part of the volatile block: the best passages of the world's documents for this move, within
/// the count and budget, leaving out those too far in meaning and those a triggered lore entry already says (the
/// author's lore wins over the document's copy). For this prompt only, like recalled memories.
/// </summary>
public static class KnowledgePrompt
{
    public const string Heading = "[World knowledge: passages of the world's documents that may matter now]";

    public static (string Text, int Tokens, KnowledgeReport? Report) Choose(
        KnowledgeRecall? recall,
        IReadOnlyList<string> loreTexts,
        int budget,
        Func<string, int> estimate
    )
    {
        if (recall is null)
        {
            return ("", 0, null);
        }
        var lore = loreTexts.Select(Plain).Where(t => t.Length > 0).ToArray();
        var reports = new List<KnowledgePassageReport>();
        var chosen = new List<string>();
        var used = estimate(Heading);
        foreach (var hit in recall.Result.Hits)
        {
            var passage = hit.Passage;
            var line =
                $"From \"{PromptText.Clean(passage.DocumentName)}\""
                + (passage.Heading.Length > 0 ? $", {PromptText.Clean(passage.Heading)}" : "")
                + $": {PromptText.Clean(passage.Text)}";
            var size = estimate(line);
            var plain = Plain(passage.Text);
            var reason =
                hit.TextRank is null && (hit.Similarity ?? 0) < recall.MinSimilarity ? "not similar enough"
                : lore.Any(l =>
                    l.Contains(plain, StringComparison.Ordinal) || plain.Contains(l, StringComparison.Ordinal)
                )
                    ? "already in triggered lore"
                : chosen.Count >= recall.MaxPassages ? "over the passage count"
                : used + size > Math.Min(budget, recall.MaxTokens) ? "over the knowledge budget"
                : "included";
            if (reason == "included")
            {
                chosen.Add(line);
                used += size;
            }
            reports.Add(
                new KnowledgePassageReport(
                    passage.DocumentId,
                    passage.DocumentName,
                    passage.Heading,
                    passage.Ordinal,
                    reason == "included",
                    reason,
                    hit.Score,
                    hit.TextRank,
                    hit.VectorRank,
                    hit.Similarity,
                    size
                )
            );
        }
        var report = new KnowledgeReport(recall.Result.Query, recall.Result.Note, reports);
        return chosen.Count == 0 ? ("", 0, report) : (Heading + "\n" + string.Join("\n", chosen), used, report);
    }

    private static string Plain(string text) => DocumentChunker.Normalize(text).ToLowerInvariant();
}
