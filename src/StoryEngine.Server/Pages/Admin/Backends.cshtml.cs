using Microsoft.AspNetCore.Mvc;
using StoryEngine.Providers.Chain;
using StoryEngine.Providers.Configuration;
using StoryEngine.Server.Contracts;
using StoryEngine.Server.Health;
using StoryEngine.Server.Web;

namespace StoryEngine.Server.Pages.Admin;

/// <summary>
/// The configured model backends and how each is doing, for admins. Read like <c>GET /api/v1/admin/backends</c>,
/// through
/// <see cref="BackendResponse"/>, which is what keeps the API key (and credentials in a URL) off the page.
/// </summary>
public sealed class BackendsModel(ProvidersSettings settings, BackendChain narrator) : StoryPageModel
{
    /// <summary>How long "Check now" waits for the backends before showing what it has.</summary>
    public static readonly TimeSpan ProbeLimit = TimeSpan.FromSeconds(3);

    [BindProperty(SupportsGet = true)]
    public bool Probe { get; set; }

    public IReadOnlyList<BackendResponse> Backends { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        var status = Probe ? await narrator.ProbeWithinAsync(ProbeLimit, cancellationToken) : narrator.Status;
        Backends = BackendResponse.ListFrom(settings, status);
    }

    /// <summary>The state in words, so it never rests on a colour.</summary>
    public static string Describe(string state) =>
        state switch
        {
            "up" => "Up: answering",
            "down" => "Down: the last call failed",
            "circuit_open" => "Paused: failed repeatedly, calls wait before trying it again",
            _ => "Not used yet: no call since the server started",
        };
}
