using StoryEngine.Core.Agents.Evaluation;

namespace StoryEngine.Server.Contracts;

/// <summary>GET /api/v1/admin/evaluations: per backend, model and evaluator version, over the last
/// <see cref="Days"/>.</summary>
public sealed record EvaluationSummaryResponse(int Days, IReadOnlyList<ModelEvaluationSummary> Models);
