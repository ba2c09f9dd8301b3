using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using StoryEngine.Core.Adventures;
using StoryEngine.Core.Errors;
using StoryEngine.Core.Narration;
using StoryEngine.Core.Stories;
using StoryEngine.Server.Web;

namespace StoryEngine.Server.Pages.Play;

/// <summary>The context inspector: exactly what the narrator was sent for one narration, section by section, and what was left out.</summary>
public sealed class ContextModel(AdventureService adventures, IStoryLog log) : StoryPageModel
{
    [BindProperty(SupportsGet = true)]
    public string Id { get; set; } = "";

    [BindProperty(SupportsGet = true)]
    public string TurnId { get; set; } = "";

    [BindProperty(SupportsGet = true)]
    public int? Alternative { get; set; }

    public TurnRecord Turn { get; private set; } = null!;

    public ContextReport? Report { get; private set; }

    public int Shown { get; private set; }

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        Turn = await adventures.GetTurnAsync(UserId, Id, TurnId, cancellationToken);
        Shown = Alternative ?? Turn.Chosen;
        if (Shown < 0 || Shown >= Turn.Alternatives.Count)
        {
            throw ValidationFailedException.For("alternative", $"This turn has versions 1 to {Turn.Alternatives.Count}.");
        }
        var json = await log.GetContextAsync(Id, TurnId, Shown, cancellationToken);
        Report = json is null ? null : JsonSerializer.Deserialize<ContextReport>(json, StoryEventJson.Options);
    }
}
