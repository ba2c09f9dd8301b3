using Microsoft.AspNetCore.Mvc;
using StoryEngine.Core.Tabletop;

namespace StoryEngine.Server.Pages.Play;

/// <summary>The play view's table panel (issue 23): open check requests with a one-click roll, a quick roll, the fight
/// and whose turn it is, the newest rolls. Its own data, so the play page only places it.</summary>
public sealed class TabletopPanelViewComponent(TabletopService tabletop) : ViewComponent
{
    public sealed record Panel(string AdventureId, TabletopView View, IReadOnlyList<CheckRequest> Pending);

    public async Task<IViewComponentResult> InvokeAsync(string adventureId)
    {
        var userId = Auth.ClaimsPrincipalExtensions.UserId(UserClaimsPrincipal);
        var view = await tabletop.GetAsync(userId, adventureId, HttpContext.RequestAborted);
        var pending = await tabletop.PendingChecksAsync(view, HttpContext.RequestAborted);
        return View("~/Pages/Play/_TabletopPanel.cshtml", new Panel(adventureId, view, pending));
    }
}
