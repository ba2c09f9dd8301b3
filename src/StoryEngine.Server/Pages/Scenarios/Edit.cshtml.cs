using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Mvc;
using StoryEngine.Core.Errors;
using StoryEngine.Core.Resources;
using StoryEngine.Core.Scenarios;
using StoryEngine.Formats.Scenarios;
using StoryEngine.Server.Web;

namespace StoryEngine.Server.Pages.Scenarios;

/// <summary>
/// The scenario editor (issue 24): scenes with their text, directions and choices (with conditions), the graph with
/// the findings marked, versions with diff and restore, publishing and share links. Every change is a save with the
/// version the page was loaded from, as the API's <c>If-Match</c>.
/// </summary>
public sealed class EditModel(
    ResourceService<Scenario> scenarios,
    ScenarioService service,
    Core.Adventures.AdventureService adventures
) : StoryPageModel
{
    [BindProperty(SupportsGet = true)]
    public string WorldId { get; set; } = "";

    [BindProperty(SupportsGet = true)]
    public string Id { get; set; } = "";

    [BindProperty(SupportsGet = true)]
    public int? From { get; set; }

    [BindProperty(SupportsGet = true)]
    public int? To { get; set; }

    public StoredResource<Scenario> Item { get; private set; } = null!;
    public IReadOnlyList<ScenarioFinding> Findings { get; private set; } = [];
    public string Svg { get; private set; } = "";
    public IReadOnlyList<ScenarioVersion> Versions { get; private set; } = [];
    public ScenarioDiff? Diff { get; private set; }

    [TempData]
    public string? SharedUrl { get; set; }

    private ResourceScope Scope => new(UserId, WorldId);

    private string Here => $"/worlds/{WorldId}/scenarios/{Id}";

    public async Task OnGetAsync(CancellationToken cancellationToken)
    {
        await LoadAsync(cancellationToken);
        if (From is { } from && To is { } to)
        {
            Diff = await service.DiffAsync(Scope, Id, from, to, cancellationToken);
        }
    }

    public Task<IActionResult> OnPostSaveAsync(
        long version,
        string? name,
        string? description,
        string? startNodeId,
        bool template,
        CancellationToken cancellationToken
    ) =>
        ChangeAsync(
            version,
            s =>
                s with
                {
                    Name = name ?? "",
                    Description = description ?? "",
                    StartNodeId = string.IsNullOrEmpty(startNodeId) ? null : startNodeId,
                    Template = template,
                },
            "Saved the scenario.",
            cancellationToken
        );

    public Task<IActionResult> OnPostAddNodeAsync(long version, string? title, CancellationToken cancellationToken) =>
        ChangeAsync(
            version,
            s =>
            {
                if (string.IsNullOrWhiteSpace(title))
                {
                    throw ValidationFailedException.For("title", "A scene needs a title.");
                }
                var id = UniqueId(Slug(title), s.Nodes.Select(n => n.Id));
                return s with { Nodes = [.. s.Nodes, new ScenarioNode { Id = id, Title = title.Trim() }] };
            },
            "Added the scene.",
            cancellationToken
        );

    public Task<IActionResult> OnPostEditNodeAsync(
        long version,
        string nodeId,
        string? title,
        string? text,
        string? directions,
        string? effects,
        bool ending,
        CancellationToken cancellationToken
    ) =>
        ChangeAsync(
            version,
            s =>
            {
                var node = Node(s, nodeId);
                var edited = node with
                {
                    Title = title ?? "",
                    Text = text ?? "",
                    Directions = directions ?? "",
                    Ending = ending,
                    Effects = Effects(effects),
                };
                return s with { Nodes = [.. s.Nodes.Select(n => n.Id == nodeId ? edited : n)] };
            },
            "Saved the scene.",
            cancellationToken
        );

    public Task<IActionResult> OnPostRemoveNodeAsync(
        long version,
        string nodeId,
        CancellationToken cancellationToken
    ) =>
        ChangeAsync(
            version,
            s =>
            {
                Node(s, nodeId);
                return s with
                {
                    Nodes = [.. s.Nodes.Where(n => n.Id != nodeId)],
                    Edges = [.. s.Edges.Where(e => e.From != nodeId && e.To != nodeId)],
                    StartNodeId = s.StartNodeId == nodeId ? null : s.StartNodeId,
                };
            },
            "Removed the scene and its choices.",
            cancellationToken
        );

    public Task<IActionResult> OnPostAddChoiceAsync(
        long version,
        string from,
        string? to,
        string? label,
        string? condition,
        CancellationToken cancellationToken
    ) =>
        ChangeAsync(
            version,
            s =>
            {
                Node(s, from);
                if (string.IsNullOrEmpty(to))
                {
                    throw ValidationFailedException.For("to", "Pick the scene the choice leads to.");
                }
                var id = UniqueId($"{from}-{to}", s.Edges.Select(e => e.Id));
                var edge = new ScenarioEdge
                {
                    Id = id,
                    From = from,
                    To = to,
                    Label = label ?? "",
                    Condition = string.IsNullOrWhiteSpace(condition) ? null : condition.Trim(),
                };
                return s with { Edges = [.. s.Edges, edge] };
            },
            "Added the choice.",
            cancellationToken
        );

    public Task<IActionResult> OnPostEditChoiceAsync(
        long version,
        string edgeId,
        string? to,
        string? label,
        string? condition,
        CancellationToken cancellationToken
    ) =>
        ChangeAsync(
            version,
            s =>
            {
                var edge = s.Edges.FirstOrDefault(e => e.Id == edgeId) ?? throw new NotFoundException("choice", edgeId);
                var edited = edge with
                {
                    To = string.IsNullOrEmpty(to) ? edge.To : to,
                    Label = label ?? "",
                    Condition = string.IsNullOrWhiteSpace(condition) ? null : condition.Trim(),
                };
                return s with { Edges = [.. s.Edges.Select(e => e.Id == edgeId ? edited : e)] };
            },
            "Saved the choice.",
            cancellationToken
        );

    public Task<IActionResult> OnPostRemoveChoiceAsync(
        long version,
        string edgeId,
        CancellationToken cancellationToken
    ) =>
        ChangeAsync(
            version,
            s => s with { Edges = [.. s.Edges.Where(e => e.Id != edgeId)] },
            "Removed the choice.",
            cancellationToken
        );

    public Task<IActionResult> OnPostPublishAsync(long version, bool publish, CancellationToken cancellationToken) =>
        AttemptAsync(
            async () =>
            {
                await service.PublishAsync(Scope, Id, publish, version, cancellationToken);
                return Done(publish ? "Published the scenario." : "Withdrew the scenario.", Here);
            },
            () => LoadAsync(cancellationToken)
        );

    /// <summary>Starts an adventure on this scenario and opens it.</summary>
    public Task<IActionResult> OnPostPlayAsync(CancellationToken cancellationToken) =>
        AttemptAsync(
            async () =>
            {
                var adventure = await adventures.CreateAsync(
                    UserId,
                    new Core.Adventures.NewAdventure(WorldId, null, null, null, null, null, ScenarioId: Id),
                    cancellationToken
                );
                return Done("The story begins.", $"/play/{adventure.Id}");
            },
            () => LoadAsync(cancellationToken)
        );

    public Task<IActionResult> OnPostRestoreVersionAsync(
        long version,
        int number,
        CancellationToken cancellationToken
    ) =>
        AttemptAsync(
            async () =>
            {
                await service.RestoreVersionAsync(Scope, Id, number, version, cancellationToken);
                return Done($"Restored version {number} as the newest.", Here);
            },
            () => LoadAsync(cancellationToken)
        );

    public Task<IActionResult> OnPostShareAsync(
        string? password,
        int? expiresInHours,
        CancellationToken cancellationToken
    ) =>
        AttemptAsync(
            async () =>
            {
                var (_, token) = await service.ShareAsync(Scope, Id, password, expiresInHours, cancellationToken);
                SharedUrl = $"{Request.Scheme}://{Request.Host}{Request.PathBase}/api/v1/scenarios/shared/{token}";
                return Done("Made a share link. It is shown once: copy it now.", Here + "#share-h");
            },
            () => LoadAsync(cancellationToken)
        );

    private Task<IActionResult> ChangeAsync(
        long version,
        Func<Scenario, Scenario> change,
        string flash,
        CancellationToken cancellationToken
    ) =>
        AttemptAsync(
            async () =>
            {
                var current = await scenarios.GetAsync(Scope, Id, cancellationToken);
                await scenarios.ReplaceAsync(
                    Scope,
                    Id,
                    change(current.Body) with
                    {
                        Published = false,
                    },
                    version,
                    cancellationToken
                );
                return Done(flash, Here);
            },
            () => LoadAsync(cancellationToken)
        );

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        Item = await scenarios.GetAsync(Scope, Id, cancellationToken);
        Findings = ScenarioValidator.Validate(Item.Body);
        Svg = ScenarioGraphics.Svg(Item.Body, ScenarioLayout.Of(Item.Body), Findings);
        Versions = await service.ListVersionsAsync(Scope, Id, null, 20, cancellationToken);
    }

    private static ScenarioNode Node(Scenario s, string nodeId) =>
        s.Node(nodeId) ?? throw new NotFoundException("scene", nodeId);

    /// <summary>"key, gold+=2, mood=angry, -torch": set, add, set to a value, clear.</summary>
    public static IReadOnlyList<ScenarioEffect> Effects(string? text) =>
        [
            .. FormText
                .List(text)
                .Select(part =>
                    part.StartsWith('-') ? new ScenarioEffect(part[1..].Trim(), "clear")
                    : part.Contains("+=", StringComparison.Ordinal)
                        ? new ScenarioEffect(
                            part[..part.IndexOf('+', StringComparison.Ordinal)].Trim(),
                            "add",
                            part[(part.IndexOf('=', StringComparison.Ordinal) + 1)..].Trim()
                        )
                    : part.Contains('=', StringComparison.Ordinal)
                        ? new ScenarioEffect(
                            part[..part.IndexOf('=', StringComparison.Ordinal)].Trim(),
                            "set",
                            part[(part.IndexOf('=', StringComparison.Ordinal) + 1)..].Trim()
                        )
                    : new ScenarioEffect(part, "set")
                ),
        ];

    public static string EffectsText(IReadOnlyList<ScenarioEffect> effects) =>
        string.Join(
            ", ",
            effects.Select(e =>
                e.Op switch
                {
                    "clear" => "-" + e.Flag,
                    "add" => $"{e.Flag}+={e.Value ?? "1"}",
                    _ => e.Value is null or "true" ? e.Flag : $"{e.Flag}={e.Value}",
                }
            )
        );

    private static string Slug(string title)
    {
        var text = new StringBuilder();
        foreach (var c in title.Trim().ToLowerInvariant())
        {
            text.Append(char.IsLetterOrDigit(c) ? c : '-');
        }
        var slug = text.ToString().Trim('-');
        return slug.Length == 0 ? "scene"
            : slug.Length > 40 ? slug[..40]
            : slug;
    }

    private static string UniqueId(string stem, IEnumerable<string> taken)
    {
        var used = taken.ToHashSet(StringComparer.Ordinal);
        var id = stem;
        for (var n = 2; used.Contains(id); n++)
        {
            id = string.Create(CultureInfo.InvariantCulture, $"{stem}-{n}");
        }
        return id;
    }
}
