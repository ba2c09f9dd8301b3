using Microsoft.AspNetCore.Mvc;
using StoryEngine.Core.Agents.Evaluation;
using StoryEngine.Core.Errors;
using StoryEngine.Server.Web;

namespace StoryEngine.Server.Pages.Admin;

/// <summary>How narrations score per backend, model and evaluator version, for admins (issue 22): the same summary as
/// <c>GET /api/v1/admin/evaluations</c>.</summary>
public sealed class EvaluationsModel(EvaluationSummary summary) : StoryPageModel
{
    [BindProperty(SupportsGet = true)]
    public int Days { get; set; } = 7;

    public IReadOnlyList<ModelEvaluationSummary> Rows { get; private set; } = [];

    /// <summary>Every check named in any row, in a stable order, for the table's columns.</summary>
    public IReadOnlyList<string> Checks { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(CancellationToken cancellationToken) =>
        await AttemptAsync(async () =>
        {
            if (Days is < 1 or > 90)
            {
                throw ValidationFailedException.For("days", "days must be from 1 to 90.");
            }
            Rows = await summary.SummarizeAsync(Days, cancellationToken);
            Checks = [.. Rows.SelectMany(r => r.Checks.Keys).Distinct().Order(StringComparer.Ordinal)];
            return Page();
        });
}
