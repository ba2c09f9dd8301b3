using System.Text.Json;

namespace StoryEngine.Core.Scenarios;

/// <summary>What changed between two versions of a scenario: scenes and choices added, removed or changed (by id),
/// and whether the scenario's own fields (name, start, flags, ...) changed.</summary>
public sealed record ScenarioDiff(
    int From,
    int To,
    IReadOnlyList<string> NodesAdded,
    IReadOnlyList<string> NodesRemoved,
    IReadOnlyList<string> NodesChanged,
    IReadOnlyList<string> EdgesAdded,
    IReadOnlyList<string> EdgesRemoved,
    IReadOnlyList<string> EdgesChanged,
    IReadOnlyList<string> FieldsChanged
)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static ScenarioDiff Between(int from, Scenario before, int to, Scenario after)
    {
        var (nodesAdded, nodesRemoved, nodesChanged) = Compare(before.Nodes, after.Nodes, n => n.Id);
        var (edgesAdded, edgesRemoved, edgesChanged) = Compare(before.Edges, after.Edges, e => e.Id);
        var fields = new List<string>();
        void Field(string name, object? a, object? b)
        {
            if (JsonSerializer.Serialize(a, Json) != JsonSerializer.Serialize(b, Json))
            {
                fields.Add(name);
            }
        }
        Field("name", before.Name, after.Name);
        Field("description", before.Description, after.Description);
        Field("tags", before.Tags, after.Tags);
        Field("startNodeId", before.StartNodeId, after.StartNodeId);
        Field("flags", before.Flags, after.Flags);
        Field("published", before.Published, after.Published);
        Field("template", before.Template, after.Template);
        Field("metadata", before.Metadata, after.Metadata);
        return new(from, to, nodesAdded, nodesRemoved, nodesChanged, edgesAdded, edgesRemoved, edgesChanged, fields);
    }

    private static (string[] Added, string[] Removed, string[] Changed) Compare<T>(
        IReadOnlyList<T> before,
        IReadOnlyList<T> after,
        Func<T, string> id
    )
    {
        var old = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var item in before)
        {
            old.TryAdd(id(item), JsonSerializer.Serialize(item, Json));
        }
        var added = new List<string>();
        var changed = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in after)
        {
            var key = id(item);
            seen.Add(key);
            if (!old.TryGetValue(key, out var was))
            {
                added.Add(key);
            }
            else if (was != JsonSerializer.Serialize(item, Json))
            {
                changed.Add(key);
            }
        }
        return ([.. added], [.. old.Keys.Where(k => !seen.Contains(k))], [.. changed]);
    }
}
