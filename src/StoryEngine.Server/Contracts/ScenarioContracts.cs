using System.Text.Json.Serialization;
using StoryEngine.Core.Resources;
using StoryEngine.Core.Scenarios;

namespace StoryEngine.Server.Contracts;

/// <summary>A scenario as clients send it (issue 24); scenes and choices in the shape the API returns them.</summary>
public sealed record ScenarioRequest(
    string? Name,
    string? Description = null,
    IReadOnlyList<string>? Tags = null,
    string? StartNodeId = null,
    IReadOnlyList<ScenarioNode>? Nodes = null,
    IReadOnlyList<ScenarioEdge>? Edges = null,
    IReadOnlyDictionary<string, string>? Flags = null,
    bool? Published = null,
    bool? Template = null,
    IReadOnlyDictionary<string, string>? Metadata = null
) : IResourceRequest<ScenarioRequest, Scenario>
{
    public Scenario ToBody() =>
        new()
        {
            Name = Name ?? "",
            Description = Description ?? "",
            Tags = Tags ?? [],
            StartNodeId = string.IsNullOrEmpty(StartNodeId) ? null : StartNodeId,
            Nodes = Nodes ?? [],
            Edges = Edges ?? [],
            Flags = Flags ?? new Dictionary<string, string>(),
            // Published only by POST …/publish, which validates first; any other save is a draft again.
            Published = false,
            Template = Template ?? false,
            Metadata = Metadata ?? new Dictionary<string, string>(),
        };

    public static ScenarioRequest FromBody(Scenario b) =>
        new(
            b.Name,
            b.Description,
            b.Tags,
            b.StartNodeId,
            b.Nodes,
            b.Edges,
            b.Flags,
            b.Published,
            b.Template,
            b.Metadata
        );
}

public sealed record ScenarioResponse(
    string Id,
    string WorldId,
    string Name,
    string Description,
    IReadOnlyList<string> Tags,
    string? StartNodeId,
    IReadOnlyList<ScenarioNode> Nodes,
    IReadOnlyList<ScenarioEdge> Edges,
    IReadOnlyDictionary<string, string> Flags,
    bool Published,
    bool Template,
    IReadOnlyDictionary<string, string> Metadata,
    long Version,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? DeletedAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? PurgeAt
) : IResourceResponse<ScenarioResponse, Scenario>
{
    public static ScenarioResponse From(StoredResource<Scenario> r) =>
        new(
            r.Id,
            r.ParentId!,
            r.Body.Name,
            r.Body.Description,
            r.Body.Tags,
            r.Body.StartNodeId,
            r.Body.Nodes,
            r.Body.Edges,
            r.Body.Flags,
            r.Body.Published,
            r.Body.Template,
            r.Body.Metadata,
            r.Version,
            r.CreatedAt,
            r.UpdatedAt,
            r.DeletedAt,
            Lifecycle.PurgeAt(r)
        );
}

public sealed record ScenarioFindingsResponse(IReadOnlyList<ScenarioFinding> Findings, bool HasErrors);

public sealed record ScenarioVersionSummary(int Number, DateTimeOffset CreatedAt, int Nodes, int Edges, bool Published);

public sealed record ScenarioVersionResponse(int Number, DateTimeOffset CreatedAt, Scenario Scenario);

public sealed record ShareRequest(string? Password = null, int? ExpiresInHours = null);

public sealed record ShareResponse(string Id, string Token, string Url, DateTimeOffset? ExpiresAt, bool HasPassword);

public sealed record ShareSummary(
    string Id,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? RevokedAt,
    bool HasPassword
);

public sealed record SharedScenarioResponse(
    string Name,
    string Description,
    string? StartNodeId,
    IReadOnlyList<ScenarioNode> Nodes,
    IReadOnlyList<ScenarioEdge> Edges,
    DateTimeOffset? ExpiresAt
);

public sealed record CloneRequest(string? WorldId = null, string? Name = null, string? Password = null);

public sealed record ChoiceRequest(string? EdgeId);

public sealed record ScenarioPositionResponse(
    string ScenarioId,
    int Version,
    string NodeId,
    string Title,
    bool Ended,
    IReadOnlyList<ChoiceView> Choices,
    IReadOnlyDictionary<string, string> Flags,
    IReadOnlyList<string> Path,
    SceneChoice? LastChoice
)
{
    public static ScenarioPositionResponse From(ScenarioPosition p) =>
        new(
            p.ScenarioId,
            p.Version,
            p.Node.Id,
            p.Node.Title,
            p.Ended,
            [.. p.Choices.Select(c => new ChoiceView(c.Id, c.Label, c.To, p.Scenario.Node(c.To)?.Title ?? c.To))],
            p.Flags,
            p.Path,
            p.LastChoice
        );
}

public sealed record ChoiceView(string Id, string Label, string To, string ToTitle);

public sealed record ScenarioStatsResponse(
    int Plays,
    int Completions,
    IReadOnlyDictionary<string, int> Endings,
    IReadOnlyDictionary<string, int> StoppedAt
);
