using Microsoft.AspNetCore.Mvc;
using StoryEngine.Core.Audit;
using StoryEngine.Server.Web;

namespace StoryEngine.Server.Pages.Admin;

/// <summary>The audit log, newest first, filtered by user id or action.</summary>
public sealed class AuditModel(IAuditLog audit) : StoryPageModel
{
    [BindProperty(SupportsGet = true)]
    public string? UserIdFilter { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Action { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Cursor { get; set; }

    public IReadOnlyList<AuditEntry> Items { get; private set; } = [];

    public string? NextCursor { get; private set; }

    public Task<IActionResult> OnGetAsync(CancellationToken cancellationToken) =>
        AttemptAsync(async () =>
        {
            var page = await audit.ListAsync(AuditQuery.From(50, Cursor, UserIdFilter, Action), cancellationToken);
            Items = page.Items;
            NextCursor = page.NextCursor;
            return Page();
        });
}
