using StoryEngine.Core.Adventures;
using StoryEngine.Server.Web;

namespace StoryEngine.Server.Pages;

/// <summary>
/// The front door (issue 18): signed out, what Story Engine is, with a picture of play; signed in, a home that
/// continues the person's latest adventures and leads to the library.
/// </summary>
public sealed class IndexModel(AdventureService adventures) : StoryPageModel
{
    /// <summary>How many adventures the home offers to continue.</summary>
    public const int Latest = 4;

    public IReadOnlyList<Adventure> Recent { get; private set; } = [];

    public bool SignedIn => User.Identity?.IsAuthenticated == true;

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        if (!SignedIn)
        {
            return;
        }
        // By last activity across all of the person's adventures, not the newest of a page ordered by id.
        Recent = await adventures.ListRecentAsync(UserId, Latest, cancellationToken);
    }
}
