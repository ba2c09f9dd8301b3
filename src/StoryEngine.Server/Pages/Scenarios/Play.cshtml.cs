using Microsoft.AspNetCore.Mvc;
using StoryEngine.Core.Scenarios;
using StoryEngine.Server.Http;
using StoryEngine.Server.Web;

namespace StoryEngine.Server.Pages.Scenarios;

/// <summary>The scenario panel's forms (issue 24): a choice or free text is the player's turn; back to the play page
/// once it is narrated (the page works without JavaScript).</summary>
public sealed class PlayModel(ScenarioPlay play) : StoryPageModel
{
    [BindProperty(SupportsGet = true)]
    public string Id { get; set; } = "";

    public IActionResult OnGet() => LocalRedirect($"/play/{Id}");

    public Task<IActionResult> OnPostChooseAsync(string? edgeId, CancellationToken cancellationToken) =>
        AttemptAsync(async () =>
        {
            await TurnStreaming.OutcomeAsync(
                await play.ChooseAsync(UserId, Id, edgeId, cancellationToken),
                cancellationToken
            );
            return Done("You made your choice.", $"/play/{Id}#latest");
        });

    public Task<IActionResult> OnPostActAsync(string? text, CancellationToken cancellationToken) =>
        AttemptAsync(async () =>
        {
            var (run, _) = await play.ActAsync(UserId, Id, "do", text, cancellationToken);
            await TurnStreaming.OutcomeAsync(run, cancellationToken);
            return Done("The story goes on.", $"/play/{Id}#latest");
        });
}
