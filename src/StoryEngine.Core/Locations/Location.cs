using StoryEngine.Core.Errors;
using StoryEngine.Core.Resources;

namespace StoryEngine.Core.Locations;

/// <summary>A place in a world. Places nest (a tavern inside a town) and connect (a road to the next town).</summary>
public sealed record Location : IResourceBody<Location>
{
    public static string Kind => "location";

    public required string Name { get; init; }
    public string Description { get; init; } = "";

    /// <summary>The location this one lies inside, in the same world; null for a top-level place.</summary>
    public string? ParentId { get; init; }

    public IReadOnlyList<LocationConnection> Connections { get; init; } = [];
    public IReadOnlyList<string> Tags { get; init; } = [];

    string IResourceBody<Location>.SearchText => Resources.SearchText.Of(Name, Description);

    public void Validate(FieldErrors errors)
    {
        errors.Required("name", Name, Limits.Name);
        errors.MaxLength("description", Description, Limits.LongText);
        errors.List("tags", Tags, Limits.Tags, Limits.Tag);
        if (Connections.Count > Limits.ListItems)
        {
            errors.Add("connections", $"connections may hold at most {Limits.ListItems} items.");
            return;
        }
        for (var i = 0; i < Connections.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(Connections[i].LocationId))
            {
                errors.Add($"connections[{i}].locationId", "locationId is required.");
            }
            errors.MaxLength($"connections[{i}].description", Connections[i].Description, Limits.ShortText);
        }
    }
}

/// <summary>A way from one location to another ("a narrow stair down to the cellar").</summary>
public sealed record LocationConnection(string LocationId, string Description = "");
