using Microsoft.AspNetCore.Mvc;
using StoryEngine.Core.Adventures;
using StoryEngine.Core.Agents.Director;
using StoryEngine.Server.Web;

namespace StoryEngine.Server.Pages.Play;

/// <summary>
/// An adventure's goals by hand (issue 22): set a goal with its tasks, tick tasks, end a goal or take it up again, and
/// ask the director to propose goals, through the same <see cref="GoalService"/> as
/// <c>/api/v1/adventures/{id}/goals</c>.
/// </summary>
public sealed class GoalsModel(AdventureService adventures, GoalService goals) : StoryPageModel
{
    [BindProperty(SupportsGet = true)]
    public string Id { get; set; } = "";

    public Adventure Adventure { get; private set; } = null!;

    public GoalBoard Board { get; private set; } = GoalBoard.Empty;

    private string Here => $"/play/{Id}/goals";

    public async Task OnGetAsync(CancellationToken cancellationToken) => await LoadAsync(cancellationToken);

    public Task<IActionResult> OnPostAddAsync(
        string? title,
        string? description,
        int? byTurn,
        string? tasks,
        CancellationToken cancellationToken
    ) =>
        AttemptAsync(
            async () =>
            {
                var lines = (tasks ?? "")
                    .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                    .ToArray();
                var goal = await goals.CreateAsync(
                    UserId,
                    Id,
                    new GoalDraft(title, description, byTurn, lines),
                    cancellationToken
                );
                return Done($"Set the goal {goal.Title}. The narrator steers toward it from the next turn.", Here);
            },
            () => LoadAsync(cancellationToken)
        );

    public Task<IActionResult> OnPostTaskAsync(
        string goalId,
        string taskId,
        string? status,
        CancellationToken cancellationToken
    ) =>
        AttemptAsync(
            async () =>
            {
                await goals.SetTaskAsync(UserId, Id, goalId, taskId, status, cancellationToken);
                return Done($"Marked the task {status}.", Here);
            },
            () => LoadAsync(cancellationToken)
        );

    public Task<IActionResult> OnPostStatusAsync(string goalId, string? status, CancellationToken cancellationToken) =>
        AttemptAsync(
            async () =>
            {
                var goal = await goals.UpdateAsync(
                    UserId,
                    Id,
                    goalId,
                    new GoalPatch(null, null, null, null, status),
                    cancellationToken
                );
                return Done(
                    goal.IsActive ? $"Took up {goal.Title} again." : $"Marked {goal.Title} {goal.Status}.",
                    Here
                );
            },
            () => LoadAsync(cancellationToken)
        );

    public Task<IActionResult> OnPostProposeAsync(CancellationToken cancellationToken) =>
        AttemptAsync(
            async () =>
            {
                await goals.ProposeAsync(UserId, Id, cancellationToken);
                return Done(
                    "The director is reading the story for goals; they appear here in a moment (refresh).",
                    Here
                );
            },
            () => LoadAsync(cancellationToken)
        );

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        Adventure = await adventures.GetAsync(UserId, Id, cancellationToken);
        Board = await goals.GetAsync(UserId, Id, cancellationToken);
    }
}
