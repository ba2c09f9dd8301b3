using Microsoft.AspNetCore.Mvc;
using StoryEngine.Core.Resources;
using StoryEngine.Core.Scenarios;
using StoryEngine.Formats.Scenarios;
using StoryEngine.Server.Web;

namespace StoryEngine.Server.Pages.Scenarios;

/// <summary>A world's scenarios (issue 24): the list, a new one by name, an imported Twine story.</summary>
public sealed class IndexModel(ResourceService<Scenario> scenarios) : StoryPageModel
{
    [BindProperty(SupportsGet = true)]
    public string WorldId { get; set; } = "";

    public IReadOnlyList<ResourceSummary> Items { get; private set; } = [];

    private ResourceScope Scope => new(UserId, WorldId);

    public Task OnGetAsync(CancellationToken cancellationToken) => LoadAsync(cancellationToken);

    public Task<IActionResult> OnPostCreateAsync(string? name, CancellationToken cancellationToken) =>
        AttemptAsync(
            async () =>
            {
                var created = await scenarios.CreateAsync(
                    Scope,
                    new Scenario
                    {
                        Name = name ?? "",
                        StartNodeId = "start",
                        Nodes = [new ScenarioNode { Id = "start", Title = "Start" }],
                    },
                    cancellationToken
                );
                return Done("Created the scenario.", $"/worlds/{WorldId}/scenarios/{created.Id}");
            },
            () => LoadAsync(cancellationToken)
        );

    public Task<IActionResult> OnPostImportAsync(IFormFile? file, CancellationToken cancellationToken) =>
        AttemptAsync(
            async () =>
            {
                if (file is null || file.Length == 0)
                {
                    throw Core.Errors.ValidationFailedException.For("file", "Choose a Twee, Twine HTML or JSON file.");
                }
                using var memory = new MemoryStream();
                await file.CopyToAsync(memory, cancellationToken);
                var body = ScenarioFiles.Read(memory.ToArray());
                var created = await scenarios.CreateAsync(Scope, body with { Published = false }, cancellationToken);
                return Done("Imported the story.", $"/worlds/{WorldId}/scenarios/{created.Id}");
            },
            () => LoadAsync(cancellationToken)
        );

    private async Task LoadAsync(CancellationToken cancellationToken) =>
        Items = (
            await scenarios.ListSummariesAsync(
                Scope,
                ListQuery.From(ListQuery.MaxLimit, null, null, null),
                false,
                cancellationToken
            )
        ).Items;
}
