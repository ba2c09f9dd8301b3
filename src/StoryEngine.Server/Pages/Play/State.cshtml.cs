using Microsoft.AspNetCore.Mvc;
using StoryEngine.Core.Adventures;
using StoryEngine.Core.Errors;
using StoryEngine.Core.State;
using StoryEngine.Server.Web;

namespace StoryEngine.Server.Pages.Play;

/// <summary>
/// Correcting the world state by hand: the same correction as the API's <c>PATCH …/state</c> (recorded in the story log
/// as a StateCorrected event), as a plain form. A form sends the whole state, so a save over a state that changed since
/// the form was filled (a turn's changes read in the background meanwhile) is refused rather than undoing them.
/// </summary>
public sealed class StateModel(AdventureService adventures, WorldStates states) : StoryPageModel
{
    [BindProperty(SupportsGet = true)]
    public string Id { get; set; } = "";

    [BindProperty]
    public StateCorrectionForm Form { get; set; } = new();

    public Adventure Adventure { get; private set; } = null!;

    public static readonly IReadOnlyList<string> QuestStatuses = StateRules.QuestStatuses;

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Adventure = await adventures.GetAsync(UserId, Id, cancellationToken);
        var (state, _) = await states.GetAsync(UserId, Id, null, cancellationToken);
        Form = StateCorrectionForm.From(state);
    }

    public Task<IActionResult> OnPostAsync(CancellationToken cancellationToken) =>
        AttemptAsync(
            async () =>
            {
                var corrected = Form.ToState();
                var (current, _) = await states.GetAsync(UserId, Id, null, cancellationToken);
                if (StateCorrectionForm.Fingerprint(current) != Form.Seen)
                {
                    var adventure = await adventures.GetAsync(UserId, Id, cancellationToken);
                    throw new PreconditionFailedException(
                        "world state of adventure",
                        Id,
                        $"The world state of {adventure.Title}"
                    );
                }
                await states.CorrectAsync(UserId, Id, corrected, cancellationToken);
                return Done(
                    "Corrected the world state. The narrator sees it from the next turn; it is kept in the story's "
                        + "history.",
                    $"/play/{Id}#world-state"
                );
            },
            async () =>
            {
                Adventure = await adventures.GetAsync(UserId, Id, cancellationToken);
                if (Problem is { Conflict: true })
                {
                    // What was typed stays; sending it again ("keep mine") goes over the state as it is now.
                    var (current, _) = await states.GetAsync(UserId, Id, null, cancellationToken);
                    Form.Seen = StateCorrectionForm.Fingerprint(current);
                }
            }
        );
}
