using StoryEngine.Core.Stories;

namespace StoryEngine.Core.Agents.Evaluation;

/// <summary>The evaluations recorded since a time, across every adventure (the admin summary reads them).</summary>
public interface IEvaluationStore
{
    Task<IReadOnlyList<TurnEvaluated>> ListSinceAsync(
        DateTimeOffset since,
        int limit,
        CancellationToken cancellationToken
    );
}

/// <summary>How one backend and model did: how many narrations, their mean score, and each check's mean.</summary>
public sealed record ModelEvaluationSummary(
    string? Backend,
    string? Model,
    string EvaluatorVersion,
    int Narrations,
    double MeanScore,
    IReadOnlyDictionary<string, double> Checks,
    int Flagged
);

/// <summary>Evaluations summarised per backend, model and evaluator version (scores of two versions never
/// mix).</summary>
public sealed class EvaluationSummary(IEvaluationStore store, TimeProvider clock)
{
    /// <summary>The most evaluations one summary reads (the newest).</summary>
    public const int MaxRead = 50_000;

    public async Task<IReadOnlyList<ModelEvaluationSummary>> SummarizeAsync(
        int days,
        CancellationToken cancellationToken
    )
    {
        var evaluations = await store.ListSinceAsync(clock.GetUtcNow().AddDays(-days), MaxRead, cancellationToken);
        return
        [
            .. evaluations
                .GroupBy(e => (e.Backend, e.Model, e.EvaluatorVersion))
                .Select(g => new ModelEvaluationSummary(
                    g.Key.Backend,
                    g.Key.Model,
                    g.Key.EvaluatorVersion,
                    g.Count(),
                    Math.Round(g.Average(e => e.Score), 3),
                    g.SelectMany(e => e.Checks)
                        .GroupBy(c => c.Name, StringComparer.Ordinal)
                        .ToDictionary(c => c.Key, c => Math.Round(c.Average(x => x.Score), 3), StringComparer.Ordinal),
                    g.Count(e => e.Checks.Any(c => c.Score < 1))
                ))
                .OrderByDescending(s => s.Narrations),
        ];
    }
}
