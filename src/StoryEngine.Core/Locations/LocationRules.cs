using StoryEngine.Core.Errors;
using StoryEngine.Core.Resources;
using StoryEngine.Core.Worlds;

namespace StoryEngine.Core.Locations;

/// <summary>
/// Locations live in a live world; their parent and connections must be locations of the same world,
/// the parent chain must not loop, and a location with children cannot be deleted out from under them.
/// </summary>
public sealed class LocationRules(IResourceStore<World> worlds, IResourceStore<Location> locations)
    : IResourceRules<Location>
{
    private readonly WorldChildRules<Location> _world = new(worlds);

    public Task EnsureParentAsync(ResourceScope scope, CancellationToken cancellationToken) =>
        _world.EnsureParentAsync(scope, cancellationToken);

    public async Task ValidateAsync(
        ResourceScope scope,
        string id,
        Location body,
        FieldErrors errors,
        CancellationToken cancellationToken
    )
    {
        if (body.ParentId is null && body.Connections.Count == 0)
        {
            return;
        }
        var all = (await locations.ListAllAsync(scope, cancellationToken)).ToDictionary(l => l.Id, l => l.Body);
        if (body.ParentId is { } parentId)
        {
            if (parentId == id)
            {
                errors.Add("parentId", "A location cannot be its own parent.");
            }
            else if (!all.ContainsKey(parentId))
            {
                errors.Add("parentId", $"No location with id '{parentId}' exists in this world.");
            }
            else if (LeadsBackTo(id, parentId, all))
            {
                errors.Add("parentId", $"Location '{parentId}' lies inside this one; that would make a loop.");
            }
        }
        for (var i = 0; i < body.Connections.Count; i++)
        {
            var target = body.Connections[i].LocationId;
            if (target == id)
            {
                errors.Add($"connections[{i}].locationId", "A location cannot connect to itself.");
            }
            else if (!all.ContainsKey(target))
            {
                errors.Add($"connections[{i}].locationId", $"No location with id '{target}' exists in this world.");
            }
        }
    }

    public async Task EnsureDeletableAsync(ResourceScope scope, string id, CancellationToken cancellationToken)
    {
        var all = await locations.ListAllAsync(scope, cancellationToken);
        var child = all.FirstOrDefault(l => l.Body.ParentId == id);
        if (child is not null)
        {
            throw new ConflictException(
                $"Location '{id}' still contains '{child.Body.Name}' ({child.Id}). Move or delete the locations "
                    + "inside it first.",
                "location_has_children"
            );
        }
    }

    private static bool LeadsBackTo(string id, string start, Dictionary<string, Location> all)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var current = start; current is not null && seen.Add(current); )
        {
            if (current == id)
            {
                return true;
            }
            current = all.TryGetValue(current, out var location) ? location.ParentId : null;
        }
        return false;
    }
}
