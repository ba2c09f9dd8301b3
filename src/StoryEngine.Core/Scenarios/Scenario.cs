using StoryEngine.Core.Errors;
using StoryEngine.Core.Resources;

namespace StoryEngine.Core.Scenarios;

/// <summary>
/// An authored story graph in a world (issue 24): scenes (<see cref="Nodes"/>) joined by choices (<see cref="Edges"/>),
/// played from <see cref="StartNodeId"/> with the narrator. Graph problems (a choice to a missing scene, a dead end)
/// are not field errors: an author saves work in progress, and <see cref="ScenarioValidator"/> reports them as
/// findings; only publishing refuses errors.
/// </summary>
public sealed record Scenario : IResourceBody<Scenario>
{
    public static string Kind => "scenario";

    public const int MaxNodes = 5_000;
    public const int MaxEdges = 20_000;

    public required string Name { get; init; }
    public string Description { get; init; } = "";
    public IReadOnlyList<string> Tags { get; init; } = [];
    public string? StartNodeId { get; init; }
    public IReadOnlyList<ScenarioNode> Nodes { get; init; } = [];
    public IReadOnlyList<ScenarioEdge> Edges { get; init; } = [];

    /// <summary>Flags the author declares up front (besides those scenes set), with their starting values.</summary>
    public IReadOnlyDictionary<string, string> Flags { get; init; } = new Dictionary<string, string>();

    /// <summary>Published scenarios have no validation errors; they can be shared and played by others.</summary>
    public bool Published { get; init; }

    /// <summary>Shown in the template gallery; "use template" clones it.</summary>
    public bool Template { get; init; }

    /// <summary>What an imported story carried that we do not interpret (Twine's ifid, format, zoom, ...), kept for
    /// a faithful export.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();

    string IResourceBody<Scenario>.SearchText => SearchText.Of(Name, Description);

    public void Validate(FieldErrors errors)
    {
        errors.Required("name", Name, Limits.Name);
        errors.MaxLength("description", Description, Limits.LongText);
        errors.List("tags", Tags, Limits.Tags, Limits.Tag);
        if (Nodes is null || Edges is null)
        {
            errors.Add(Nodes is null ? "nodes" : "edges", "must be a list (it may be empty).");
            return;
        }
        if (Nodes.Count > MaxNodes)
        {
            errors.Add("nodes", $"nodes may hold at most {MaxNodes} scenes.");
        }
        if (Edges.Count > MaxEdges)
        {
            errors.Add("edges", $"edges may hold at most {MaxEdges} choices.");
        }
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < Nodes.Count; i++)
        {
            var node = Nodes[i];
            if (node is null)
            {
                errors.Add($"nodes[{i}]", "must be an object.");
                continue;
            }
            errors.Required($"nodes[{i}].id", node.Id, Limits.Tag);
            if (node.Id is { Length: > 0 } && !ids.Add(node.Id))
            {
                errors.Add($"nodes[{i}].id", $"Another scene already has the id '{node.Id}'.");
            }
            errors.Required($"nodes[{i}].title", node.Title, Limits.Name);
            errors.MaxLength($"nodes[{i}].text", node.Text, Limits.LongText);
            errors.MaxLength($"nodes[{i}].directions", node.Directions, Limits.LongText);
            errors.List($"nodes[{i}].tags", node.Tags, Limits.Tags, Limits.Tag);
            for (var e = 0; e < (node.Effects?.Count ?? 0); e++)
            {
                var effect = node.Effects![e];
                if (effect is null || !ScenarioConditions.IsName(effect.Flag))
                {
                    errors.Add($"nodes[{i}].effects[{e}].flag", "flag must be a name (letters, digits, _ . -).");
                }
            }
        }
        var edgeIds = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < Edges.Count; i++)
        {
            var edge = Edges[i];
            if (edge is null)
            {
                errors.Add($"edges[{i}]", "must be an object.");
                continue;
            }
            errors.Required($"edges[{i}].id", edge.Id, Limits.Tag);
            if (edge.Id is { Length: > 0 } && !edgeIds.Add(edge.Id))
            {
                errors.Add($"edges[{i}].id", $"Another choice already has the id '{edge.Id}'.");
            }
            errors.Required($"edges[{i}].from", edge.From, Limits.Tag);
            errors.Required($"edges[{i}].to", edge.To, Limits.Tag);
            errors.MaxLength($"edges[{i}].label", edge.Label, Limits.ShortText);
            errors.MaxLength($"edges[{i}].condition", edge.Condition, Limits.ShortText);
            if (edge.Condition is { Length: > 0 } c && ScenarioConditions.Parse(c).Error is { } why)
            {
                errors.Add($"edges[{i}].condition", why);
            }
            errors.List($"edges[{i}].hints", edge.Hints, Limits.Tags, Limits.ShortText);
        }
    }

    public ScenarioNode? Node(string? id) => id is null ? null : Nodes.FirstOrDefault(n => n.Id == id);
}

/// <summary>A scene: what happens there (<see cref="Text"/>), how the narrator should play it (<see
/// cref="Directions"/>), where and with whom, what it sets on entry, and whether the story ends here.</summary>
public sealed record ScenarioNode
{
    public required string Id { get; init; }
    public required string Title { get; init; }
    public string Text { get; init; } = "";
    public string Directions { get; init; } = "";
    public string? LocationId { get; init; }
    public IReadOnlyList<string> CharacterIds { get; init; } = [];
    public IReadOnlyList<ScenarioEffect> Effects { get; init; } = [];
    public bool Ending { get; init; }
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>Where the author put it (Twine's passage position); null lets the layout place it.</summary>
    public ScenarioPoint? Position { get; init; }

    /// <summary>What an imported passage carried that we do not interpret (Twine's size), kept for export.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();
}

/// <summary>A choice from one scene to another. <see cref="Condition"/> (see <see cref="ScenarioConditions"/>) hides
/// it while false; <see cref="Hints"/> help match free text to it.</summary>
public sealed record ScenarioEdge
{
    public required string Id { get; init; }
    public required string From { get; init; }
    public required string To { get; init; }
    public string Label { get; init; } = "";
    public string? Condition { get; init; }
    public IReadOnlyList<string> Hints { get; init; } = [];
}

/// <summary>On entering a scene: <c>set</c> a flag to <see cref="Value"/> (default "true"), <c>add</c> a number to
/// it, or <c>clear</c> it.</summary>
public sealed record ScenarioEffect(string Flag, string Op = "set", string? Value = null);

public sealed record ScenarioPoint(double X, double Y);
