using Microsoft.AspNetCore.Mvc;
using StoryEngine.Core.Adventures;
using StoryEngine.Core.Characters;
using StoryEngine.Core.Errors;
using StoryEngine.Core.Images;
using StoryEngine.Core.Jobs;
using StoryEngine.Core.Narration;
using StoryEngine.Core.Personas;
using StoryEngine.Core.Resources;
using StoryEngine.Core.State;
using StoryEngine.Core.Stories;
using StoryEngine.Server.Http;
using StoryEngine.Server.Web;

namespace StoryEngine.Server.Pages.Play;

/// <summary>
/// The play view: the transcript (newest at the bottom, older turns a page at a time), the action box, and every turn
/// operation, and the world-state panel. Without JavaScript each post waits for the narration and comes back here; with
/// it (play.js) a post answers at once and the narration streams in from <see cref="NarrationStreamEndpoint"/>.
/// </summary>
public sealed class PlayModel(
    AdventureService adventures,
    TurnService turns,
    IStoryLog log,
    WorldStates states,
    IJobStore jobs,
    ResourceService<Character> characters,
    ResourceService<Persona> personas,
    Portraits portraits,
    Core.Agents.Director.GoalBoards goalBoards
) : StoryPageModel
{
    public const int PageSize = 20;
    public static readonly string[] Kinds = ["do", "say", "story", "continue"];

    [BindProperty(SupportsGet = true)]
    public string Id { get; set; } = "";

    /// <summary>Show turns numbered below this (older ones); null for the newest page.</summary>
    [BindProperty(SupportsGet = true)]
    public int? Before { get; set; }

    public Adventure Adventure { get; private set; } = null!;

    /// <summary>Oldest first, as they are read.</summary>
    public IReadOnlyList<TurnRecord> Turns { get; private set; } = [];

    public int? OlderBefore { get; private set; }

    /// <summary>The newest turn that can still be retried or undone (not the opening), when this page shows
    /// it.</summary>
    public string? NewestTurnId { get; private set; }

    public bool Streaming { get; private set; }

    /// <summary>No turn stands after the opening yet, so its greeting can still be swiped.</summary>
    public bool OpeningOpen => Before is null && Turns.Count > 0 && Turns[^1].Kind == "opening";

    public WorldStatePanel Panel { get; private set; } = null!;

    /// <summary>The adventure's goals and the director's newest note (issue 22).</summary>
    public Core.Agents.Director.GoalBoard Goals { get; private set; } = Core.Agents.Director.GoalBoard.Empty;

    /// <summary>Who the narrator speaks as (the adventure's characters), with their avatars.</summary>
    public IReadOnlyList<Portrait> Cast { get; private set; } = [];

    /// <summary>Whom the player plays, when the adventure has a persona.</summary>
    public Portrait? Persona { get; private set; }

    /// <summary>The kind and text the person had typed, kept when a post fails.</summary>
    public string Kind { get; private set; } = "do";

    public string Text { get; private set; } = "";

    /// <summary>A post from play.js wants a short answer, not a page.</summary>
    private bool Live => Request.Headers["X-Requested-With"] == "fetch";

    public async Task OnGetAsync(CancellationToken cancellationToken) => await LoadAsync(cancellationToken);

    /// <summary>Only the world-state panel, for play.js to swap in while a turn's changes are being read.</summary>
    public async Task<IActionResult> OnGetStatePanelAsync(CancellationToken cancellationToken) =>
        Partial("_WorldState", await WorldStatePanel.LoadAsync(states, jobs, UserId, Id, cancellationToken));

    public Task<IActionResult> OnPostTakeAsync(string? kind, string? text, CancellationToken cancellationToken)
    {
        Kind = kind ?? "do";
        Text = text ?? "";
        return AttemptAsync(
            async () =>
                await NarrateAsync(
                    await turns.TakeTurnAsync(UserId, Id, kind, text, cancellationToken),
                    cancellationToken
                ),
            () => LoadAsync(cancellationToken)
        );
    }

    public Task<IActionResult> OnPostRetryAsync(string turnId, CancellationToken cancellationToken) =>
        AttemptAsync(
            async () =>
                await NarrateAsync(await turns.RetryAsync(UserId, Id, turnId, cancellationToken), cancellationToken),
            () => LoadAsync(cancellationToken)
        );

    public Task<IActionResult> OnPostStopAsync(CancellationToken cancellationToken) =>
        AttemptAsync(
            async () =>
            {
                var run = await turns.StopAsync(UserId, Id, cancellationToken);
                if (Live)
                {
                    // the stream the page reads ends with the stopped turn
                    return StatusCode(StatusCodes.Status204NoContent);
                }
                await TurnStreaming.OutcomeAsync(run, cancellationToken);
                return Done("Stopped; the narration so far is kept.", Latest);
            },
            () => LoadAsync(cancellationToken)
        );

    public Task<IActionResult> OnPostChooseAsync(string turnId, int alternative, CancellationToken cancellationToken) =>
        AttemptAsync(
            async () =>
            {
                var turn = await adventures.ChooseAsync(UserId, Id, turnId, alternative, cancellationToken);
                return Done(
                    $"Showing version {turn.Chosen + 1} of " + $"{turn.Alternatives.Count}.",
                    $"/play/{Id}#turn-{turn.Number}"
                );
            },
            () => LoadAsync(cancellationToken)
        );

    public Task<IActionResult> OnPostOpeningAsync(int greetingIndex, CancellationToken cancellationToken) =>
        AttemptAsync(
            async () =>
            {
                var turn = await adventures.ChooseOpeningAsync(UserId, Id, greetingIndex, cancellationToken);
                return Done(
                    $"Showing greeting {turn.Chosen + 1} of {turn.Alternatives.Count}.",
                    $"/play/{Id}#turn-{turn.Number}"
                );
            },
            () => LoadAsync(cancellationToken)
        );

    public Task<IActionResult> OnPostEditAsync(
        string turnId,
        string? playerText,
        string? narration,
        CancellationToken cancellationToken
    ) =>
        AttemptAsync(
            async () =>
            {
                var turn = await adventures.EditAsync(UserId, Id, turnId, playerText, narration, cancellationToken);
                return Done("Saved your edit.", $"/play/{Id}#turn-{turn.Number}");
            },
            () => LoadAsync(cancellationToken)
        );

    public Task<IActionResult> OnPostUndoAsync(CancellationToken cancellationToken) =>
        AttemptAsync(
            async () =>
            {
                var undone = await adventures.UndoAsync(UserId, Id, cancellationToken);
                return Done(
                    $"Took back turn {undone.Number}. It stays in the story's history; fork from an earlier turn to "
                        + "branch.",
                    Latest
                );
            },
            () => LoadAsync(cancellationToken)
        );

    public Task<IActionResult> OnPostForkAsync(string turnId, CancellationToken cancellationToken) =>
        AttemptAsync(
            async () =>
            {
                var fork = await adventures.ForkAsync(UserId, Id, turnId, cancellationToken);
                return Done($"This is a new branch: {fork.Title}. The original is unchanged.", $"/play/{fork.Id}");
            },
            () => LoadAsync(cancellationToken)
        );

    private string Latest => $"/play/{Id}#latest";

    private async Task<IActionResult> NarrateAsync(TurnRun run, CancellationToken cancellationToken)
    {
        if (Live)
        {
            return StatusCode(
                StatusCodes.Status202Accepted,
                new { turnId = run.TurnId, alternative = run.Alternative }
            );
        }
        var outcome = await TurnStreaming.OutcomeAsync(run, cancellationToken);
        return outcome.Succeeded
            ? LocalRedirect(Latest)
            : Done(
                $"The narration failed: {outcome.FailureMessage} Your action is kept; use Retry to try " + "again.",
                Latest
            );
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        Adventure = await adventures.GetAsync(UserId, Id, cancellationToken);
        var page = await log.ListTurnsAsync(Id, Before, PageSize + 1, includeUndone: false, cancellationToken);
        var shown = page.Take(PageSize).ToArray();
        OlderBefore = page.Count > PageSize ? shown[^1].Number : null;
        Turns = shown.Reverse().ToArray();
        if (Before is null && Turns.Count > 0 && Turns[^1].Kind != "opening")
        {
            NewestTurnId = Turns[^1].TurnId;
        }
        Streaming = await turns.FindRunAsync(UserId, Id, cancellationToken) is { IsFinished: false };
        Panel = await WorldStatePanel.LoadAsync(states, jobs, UserId, Id, cancellationToken);
        Goals = await goalBoards.GetAsync(Id, cancellationToken);
        await LoadCastAsync(cancellationToken);
    }

    /// <summary>The adventure's characters and persona as they are now; one moved to the trash is left out.</summary>
    private async Task LoadCastAsync(CancellationToken cancellationToken)
    {
        var world = new ResourceScope(UserId, Adventure.WorldId);
        var cast = new List<(string Id, string Name)>();
        foreach (var id in Adventure.CharacterIds)
        {
            try
            {
                cast.Add((id, (await characters.GetAsync(world, id, cancellationToken)).Body.Name));
            }
            catch (NotFoundException)
            {
                // In the trash or gone: the story goes on without their picture.
            }
        }
        var avatars = await portraits.ForAsync(
            PictureKind.CharacterAvatar,
            UserId,
            Adventure.WorldId,
            cast,
            cancellationToken
        );
        Cast = cast.Select(c => avatars[c.Id]).ToArray();
        if (Adventure.PersonaId is { } personaId)
        {
            try
            {
                var persona = await personas.GetAsync(new(UserId, null), personaId, cancellationToken);
                Persona = await portraits.OneAsync(
                    PictureKind.PersonaAvatar,
                    UserId,
                    null,
                    personaId,
                    persona.Body.Name,
                    cancellationToken
                );
            }
            catch (NotFoundException)
            {
                Persona = null;
            }
        }
    }
}
